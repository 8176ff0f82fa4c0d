"""The HTML report opened in a real headless browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make browser)")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def test_report_renders_every_figure_offline(tmp_path):
    from playwright.sync_api import sync_playwright

    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: browser-check\nduration_days: 14\ncause: {type: shingles, age: 80}\n")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "painloop.cli", "run", str(scenario), "--out", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("http*://**", lambda route: (errors.append(route.request.url), route.abort()))
        page.goto((out / "report.html").as_uri())
        page.wait_for_selector(".plotly-graph-div .main-svg")
        rendered = page.locator(".plotly-graph-div").count()
        traces = page.evaluate("Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => d.data.length)")
        disclaimer = page.locator(".disclaimer").first.inner_text()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
        browser.close()
    assert errors == [], f"page errors or network requests: {errors}"
    assert rendered >= 6 and all(n >= 1 for n in traces)
    assert "not a medical device" in disclaimer
