"""Render the demo squad's weekly HTML report to a PNG with headless Chromium, to check how it looks.

    python benchmarks/report_screenshot.py /tmp/report.png [--dir /tmp/runsync-demo]

Writes the demo squad (`runsync demo --dir`), renders `runsync report --all --format html`, and screenshots it
(install Chromium first, e.g. `apt-get install -y chromium`). Prints the HTML and PNG paths and their sizes.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--hide-scrollbars"]  # fmt: skip


def runsync(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "runsync", *args], check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("png", type=Path)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.mkdtemp()) / "demo")
    parser.add_argument("--window", default="1000,2000")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        sys.exit("no Chromium found: apt-get install -y chromium")
    runsync("demo", "--dir", str(args.dir))
    html = args.dir / "report.html"
    runsync("--config", str(args.dir / "config.toml"), "report", "--all", "--format", "html", "-o", str(html))
    subprocess.run([browser, *FLAGS, f"--screenshot={args.png.resolve()}", f"--window-size={args.window}",
                    html.resolve().as_uri()], check=True, capture_output=True, timeout=120)  # fmt: skip
    print(f"{html}: {html.stat().st_size:,} bytes\n{args.png}: {args.png.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
