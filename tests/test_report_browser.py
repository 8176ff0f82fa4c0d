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
        titles = page.evaluate("Array.from(document.querySelectorAll('.plotly-graph-div'))"
                               ".map(d => d.layout.title && d.layout.title.text)")
        panels = page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('.plotly-graph-div'))
            .map(d => [d.layout.title && d.layout.title.text, d.data.map(t => t.name)]))""")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
        browser.close()
    assert errors == [], f"page errors or network requests: {errors}"
    assert rendered >= 9 and all(n >= 1 for n in traces)
    assert "not a medical device" in disclaimer
    for title, trace in (("Autonomic symptoms", "constipation (0-1)"), ("Strength, gait and falls", "gait strain (0-1)"),
                         ("Participation and quality of life", "quality of life (EQ-5D-like utility)")):
        assert title in titles, titles
        assert trace in panels[title], panels[title]


_TEXT_BOXES = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(div => {
  const pick = sel => Array.from(div.querySelectorAll(sel)).map(e => {
     const r = e.getBoundingClientRect(); return {text: e.textContent, x: r.x, y: r.y, w: r.width, h: r.height};
  }).filter(b => b.w > 0 && b.h > 0 && b.text.trim() !== '');
  return [].concat(pick('.xtick text'), pick('.ytick text'), pick('.g-xtitle text'), pick('.g-ytitle text'),
                   pick('.legend .traces text'), pick('.gtitle'), pick('.annotation-text'));
})"""


def test_treated_report_has_readable_panels_without_overlapping_text(tmp_path):
    """A run with several events on nearby days: event labels, titles, ticks and legends do not overlap;
    the dosing panel is in ng/mL with dose markers and a first-week zoom; the title names the treatment."""
    from playwright.sync_api import sync_playwright

    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: treated-check\nduration_days: 21\ncause: {type: trauma, severity: 0.7, onset_day: 1}\n"
                        "stress: {baseline: 0.1, schedule: [{day: 3, level: 0.9}, {day: 4, level: 0.5}]}\n"
                        "output: {every_hours: 2}\n"
                        "treatments: ['pregabalin 75 mg bid from day 3', 'cbt from day 3', 'ibuprofen 400 mg tid from day 4 to day 9']\n")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "painloop.cli", "run", str(scenario), "--out", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("http*://**", lambda route: (errors.append(route.request.url), route.abort()))
        page.goto((out / "report.html").as_uri())
        page.wait_for_selector(".plotly-graph-div .main-svg")
        figures = page.evaluate(_TEXT_BOXES)
        title = page.locator("h1").inner_text()
        dosing = page.evaluate("""() => Array.from(document.querySelectorAll('.plotly-graph-div'))
            .map(d => d.layout).find(l => l.title && l.title.text && l.title.text.startsWith('Treatments'))""")
        exposure = page.locator("#exposure").inner_text()
        browser.close()
    assert errors == [], errors
    for boxes in figures:
        clash = [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                 if a["x"] + 0.5 < b["x"] + b["w"] and b["x"] + 0.5 < a["x"] + a["w"]
                 and a["y"] + 0.5 < b["y"] + b["h"] and b["y"] + 0.5 < a["y"] + a["h"]]
        assert clash == [], [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if (a["text"], b["text"]) == clash[0]][:1]
    assert "pregabalin" in title and "cbt" in title
    assert dosing["yaxis"]["title"]["text"] == "plasma concentration (ng/mL)"
    assert any("first week of dosing" in a["text"] for a in dosing["annotations"])
    assert "Cmax (ng/mL)" in exposure and "pregabalin" in exposure and "ibuprofen" in exposure
