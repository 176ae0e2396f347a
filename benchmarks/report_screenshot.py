"""Screenshot the demo squad's weekly HTML report in headless Chromium at a phone's and a desktop's width.

    python benchmarks/report_screenshot.py OUT_DIR [--dir /tmp/runsync-demo] [--widths 390,1280]

Writes the demo squad (`runsync demo --dir`, the demo's clock), renders `runsync report --all --format html`, and
saves report-390.png and report-1280.png in OUT_DIR (install Chromium first: apt-get install -y chromium). The page
is shown in an iframe of each width (a headless window is at least 500 px wide); the figures printed are the
viewport, the page's scroll width and the elements that stick out (tests/test_report_html.py asserts none do).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import DEMO_NOW  # noqa: E402
from tests.report.test_report_html import FLAGS, overflow  # noqa: E402


def runsync(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "runsync", "--now", DEMO_NOW, *args], check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.mkdtemp()) / "demo")
    parser.add_argument("--widths", default="390,1280")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        sys.exit("no Chromium found: apt-get install -y chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    runsync("demo", "--dir", str(args.dir))
    html = args.out / "report.html"
    runsync("--config", str(args.dir / "config.toml"), "report", "--all", "--format", "html", "-o", str(html))
    import matplotlib.image

    for width in map(int, args.widths.split(",")):
        layout = overflow(html, width, args.out)
        wrapper = args.out / f"shot-{width}.html"
        wrapper.write_text(f'<html><body style="margin:0"><iframe src="{html.name}" style="width:{width}px;'
                           f'height:4000px;border:0"></iframe></body></html>', encoding="utf-8")  # fmt: skip
        png = args.out / f"report-{width}.png"
        window = f"--window-size={max(width, 500)},4000"
        subprocess.run([browser, *FLAGS, f"--user-data-dir={args.out / 'profile'}", window, f"--screenshot={png}",
                        wrapper.as_uri()], check=True, capture_output=True, timeout=120)  # fmt: skip
        image = matplotlib.image.imread(png)
        matplotlib.image.imsave(png, image[:, :width])
        print(f"{width:5} px: viewport {layout['viewport']}, page scroll width {layout['scroll']}, "
              f"elements sticking out {len(layout['over'])}; {png}")
    print(f"{html}: {html.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
