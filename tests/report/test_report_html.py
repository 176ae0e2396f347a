"""The HTML report in a real browser (headless Chromium from Debian's packages): nothing is cut off or scrolls
sideways at a phone's 390 px or a desktop's 1280 px. Skipped when no Chromium is installed (`.ci/run` installs it)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import DEMO_NOW, run_cli

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
         "--disable-background-networking", "--disable-component-update", "--hide-scrollbars"]  # fmt: skip
# Every element's right edge against the viewport; the page reports to the wrapper that holds it in an iframe of
# the width under test (a headless window cannot be narrower than 500 px).
PROBE = """<script>
const w = document.documentElement.clientWidth;
const over = [...document.querySelectorAll('body *')].filter(e => { const r = e.getBoundingClientRect();
  return r.width > 0 && r.right > w + 1; }).map(e => e.tagName + ': ' + (e.textContent || '').trim().slice(0, 60));
parent.postMessage(JSON.stringify({viewport: w, scroll: document.documentElement.scrollWidth, over: over}), '*');
</script></body>"""


def overflow(page: Path, width: int, folder: Path) -> dict:
    probe = folder / f"probe-{width}.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE), encoding="utf-8")
    wrapper = folder / f"wrapper-{width}.html"
    wrapper.write_text(f'<html><body style="margin:0"><iframe src="{probe.name}" style="width:{width}px;height:900px;'
                       'border:0"></iframe><script>addEventListener("message", e => document.body.setAttribute('
                       '"data-overflow", e.data));</script></body></html>', encoding="utf-8")  # fmt: skip
    out = subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={folder / 'profile'}", "--window-size=1400,1000",
                          "--virtual-time-budget=5000", "--dump-dom", wrapper.as_uri()],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    found = re.search(r'data-overflow="([^"]*)"', out.stdout)
    assert found, f"the page did not report its layout: {out.stderr[-800:]}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.fixture(scope="module")
def squad_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo squad's HTML report (every section: roll-up, tiles, zones, chart, intervals, findings, weeks before)."""
    folder = tmp_path_factory.mktemp("html")
    run_cli("--now", DEMO_NOW, "demo", "--dir", folder / "demo")
    page = folder / "report.html"
    run_cli("--now", DEMO_NOW, "--config", folder / "demo" / "config.toml", "report", "--all", "--format", "html",
            "-o", page)  # fmt: skip
    return page


@pytest.mark.skipif(BROWSER is None and not os.environ.get("RUNSYNC_REQUIRE_BROWSER"), reason="no Chromium")
@pytest.mark.parametrize("width", [390, 1280])
def test_the_squad_report_fits_a_phone_and_a_desktop(squad_page: Path, tmp_path: Path, width: int) -> None:
    assert BROWSER, "RUNSYNC_REQUIRE_BROWSER is set but no Chromium is installed"
    text = squad_page.read_text(encoding="utf-8")
    assert "Time in zones" in text and "Weeks before" in text and "Training load" in text
    layout = overflow(squad_page, width, tmp_path)
    assert layout["viewport"] == width
    assert layout["over"] == [] and layout["scroll"] <= width, layout
