"""The web app (Streamlit) served locally and driven in headless Debian chromium through Playwright.

One app server is started for the module (``python -m painloop.app.launch``
on a free port); every test opens a fresh browser page (a fresh Streamlit
session). Any request that leaves 127.0.0.1 is blocked and fails the test.
Screenshots go to ``test-artifacts/``; the Explore screenshot is also saved
as ``docs/img/explore.png`` for the README.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from painloop.app.views.explore import METRICS
from painloop.analysis.loops import LOOP_GAINS

CHROMIUM = shutil.which("chromium")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make browser)")]

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
README_IMG = ROOT / "docs" / "img" / "explore.png"
TIMEOUT_MS = 60_000
IDLE_JS = ("() => !document.querySelector('[data-testid=\"stStatusWidgetRunningIcon\"]') "
           "&& !document.querySelector('[data-stale=\"true\"]')")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    """Serve the app with the same launcher as ``painloop app``; stop it (its whole process group) afterwards."""
    pytest.importorskip("streamlit")
    ARTIFACTS.mkdir(exist_ok=True)
    port = _free_port()
    log = open(ARTIFACTS / "app-server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "painloop.app.launch", "--port", str(port)], cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app server exited with status {proc.returncode}; see {ARTIFACTS / 'app-server.log'}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the app server did not answer its health check within 60 s")
            time.sleep(0.3)
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A new page (new Streamlit session) that records page errors and blocks requests leaving 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.problems = []

    def route(r):
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            pg.problems.append(f"external request: {r.request.url}")
            r.abort()

    pg.route("**/*", route)
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    yield pg
    context.close()
    assert pg.problems == [], pg.problems


def wait_idle(pg) -> None:
    """Wait until the app's script run has finished and nothing on the page is stale."""
    pg.wait_for_timeout(300)
    pg.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)
    pg.wait_for_timeout(300)
    pg.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)


def open_explore(pg, url: str) -> None:
    pg.goto(url)
    pg.wait_for_selector(".st-key-pain_plot .js-plotly-plot .main-svg")
    wait_idle(pg)


def metric(pg, label: str) -> str:
    """Displayed value of the st.metric whose label is ``label``."""
    box = pg.locator('[data-testid="stMetric"]').filter(has_text=label)
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def pain_trace(pg) -> list[float]:
    """Daily mean NRS plotted in the pain figure (plotly.js's decoded copy of the trace 'daily mean NRS')."""
    return pg.locator(".st-key-pain_plot .js-plotly-plot").evaluate(
        "gd => Array.from(gd._fullData.find(t => t.name === 'daily mean NRS').y)")


PAIN_REDRAWN_JS = """before => { const gd = document.querySelector('.st-key-pain_plot .js-plotly-plot');
    const t = gd && gd._fullData && gd._fullData.find(t => t.name === 'daily mean NRS');
    return t && Math.abs(Array.from(t.y).reduce((a, b) => a + b, 0) - before) > 1e-9; }"""
"""True once the pain plot's daily-mean trace no longer sums to ``before`` (plotly.js has drawn the new run)."""


def report_latency(what: str, seconds: float) -> None:
    """Print one Explore update's latency as seen in the browser and add it to ``test-artifacts/explore-latency.txt``.

    Measured, never asserted: wall-clock time depends on the machine and its load.
    """
    line = f"Explore update in chromium ({what}): {1e3 * seconds:.0f} ms"
    print(line)
    with open(ARTIFACTS / "explore-latency.txt", "a", encoding="utf-8") as f:
        f.write(line + "\n")


def test_explore_renders_plots_notice_and_disclaimer(app_url, page):
    open_explore(page, app_url)
    graphs = page.locator(".js-plotly-plot")
    assert graphs.count() >= 7  # pain, loop diagram, cortisol, sleep, mood, mechanisms, symptoms
    traces = page.evaluate("Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => d.data.length)")
    assert all(n >= 1 for n in traces), traces
    nrs = float(metric(page, "Mean NRS, last week"))
    assert 0.0 <= nrs <= 10.0
    pain = pain_trace(page)
    assert len(pain) == 365 and abs(sum(pain[-7:]) / 7 - nrs) < 0.3
    assert page.locator(".st-key-dosing_plot").count() == 0  # untreated by default: no dosing panel
    for panel in ("autonomic_plot", "gait_plot", "social_plot"):  # autonomic, function/gait, participation and QoL
        assert page.locator(f".st-key-{panel} .js-plotly-plot").count() == 1, panel
    assert page.get_by_text("not a medical device").first.is_visible()
    diagram = page.locator(".st-key-loop_diagram .js-plotly-plot")
    arrows = diagram.evaluate("gd => gd.layout.annotations.filter(a => a.showarrow).map(a => a.arrowwidth)")
    assert len(arrows) == 4 + 10 and len(set(arrows)) > 2  # four drivers + ten loop directions of varied width
    texts = " ".join(diagram.evaluate("gd => gd.layout.annotations.map(a => a.text)"))
    for label in ("HPA→stress", "fatigue→mood", "sleep→nerve repair", "swelling→compression"):  # loops without arrows
        assert label in texts, label
    page.set_viewport_size({"width": 1400, "height": 1400})  # tall enough to show the loop diagram
    page.wait_for_timeout(800)
    wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / "explore.png"))
    README_IMG.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ARTIFACTS / "explore.png", README_IMG)


def test_moving_the_stress_slider_changes_the_pain_plot(app_url, page):
    open_explore(page, app_url)
    before_nrs, before_trace = float(metric(page, "Mean NRS, last week")), pain_trace(page)
    slider = page.get_by_role("slider", name="Life stress")
    start = float(slider.get_attribute("value"))
    page.evaluate("""() => { window.__minMetrics = 99; new MutationObserver(() => { window.__minMetrics = Math.min(
        window.__minMetrics, document.querySelectorAll('[data-testid="stMetric"]').length); })
        .observe(document.body, {subtree: true, childList: true, attributes: true}); }""")
    slider.focus()
    t0 = time.perf_counter()
    slider.press("End")  # to the maximum, 2 (extreme)
    page.wait_for_function(
        "v => { const e = Array.from(document.querySelectorAll('[data-testid=\"stMetric\"]'))"
        ".find(m => m.innerText.includes('Mean NRS, last week'));"
        " return e && e.querySelector('[data-testid=\"stMetricValue\"]').innerText.trim() !== v; }",
        arg=f"{before_nrs:.2f}")
    page.wait_for_function(PAIN_REDRAWN_JS, arg=sum(before_trace), polling="raf")
    report_latency("stress slider to the new metric and the redrawn pain plot", time.perf_counter() - t0)
    wait_idle(page)
    assert float(slider.get_attribute("value")) == 2.0 > start
    after_nrs, after_trace = float(metric(page, "Mean NRS, last week")), pain_trace(page)
    page.screenshot(path=str(ARTIFACTS / "explore-high-stress.png"))
    assert after_nrs > before_nrs + 0.5, (before_nrs, after_nrs)
    assert sum(after_trace[-7:]) > sum(before_trace[-7:])
    assert page.evaluate("window.__minMetrics") == len(METRICS)  # the metric row stayed in place during the new run
    delta = page.locator('[data-testid="stMetric"]').filter(has_text="Mean NRS, last week").locator(
        '[data-testid="stMetricDelta"]').inner_text()
    assert "vs previous setting" in delta and float(delta.split()[0]) == pytest.approx(after_nrs - before_nrs, abs=0.011)


def test_choosing_a_treatment_adds_dosing_and_side_effect_panels_and_lowers_pain(app_url, page):
    open_explore(page, app_url)
    before_nrs = float(metric(page, "Mean NRS, last week"))
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Treatment").click()
    page.get_by_role("option", name="duloxetine (SNRI) 60 mg once daily").click()
    page.wait_for_selector(".st-key-dosing_plot .js-plotly-plot .main-svg", timeout=240_000)
    wait_idle(page)
    names = page.locator(".st-key-dosing_plot .js-plotly-plot").evaluate("gd => gd._fullData.map(t => t.name)")
    assert any(n.startswith("duloxetine") for n in names), names
    effects = page.locator(".st-key-side_effect_plot .js-plotly-plot").evaluate("gd => gd._fullData.map(t => t.name)")
    assert any(n.startswith("nausea") for n in effects), effects
    assert page.get_by_text("not a dosing recommendation").first.is_visible()
    after_nrs = float(metric(page, "Mean NRS, last week"))
    page.screenshot(path=str(ARTIFACTS / "explore-duloxetine.png"))
    assert after_nrs < before_nrs - 0.3, (before_nrs, after_nrs)


def test_uploading_the_example_diary_shows_its_plot(app_url, page):
    from painloop.twin import example_diary_path, read_diary_csv

    page.goto(f"{app_url}/diary")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(example_diary_path()))
    page.wait_for_selector(".st-key-diary_plot .js-plotly-plot .main-svg")
    wait_idle(page)
    plotted = page.locator(".st-key-diary_plot .js-plotly-plot").evaluate(
        "gd => Array.from(gd._fullData[0].y).filter(v => v !== null && !Number.isNaN(v)).length")
    assert plotted == len(read_diary_csv(example_diary_path()))
    page.get_by_role("button", name="Fit my personal model").click()
    page.wait_for_selector(".st-key-twin_whatif_plot .js-plotly-plot .main-svg", timeout=300_000)
    wait_idle(page)
    fit = page.locator(".st-key-twin_fit_plot .js-plotly-plot").evaluate(
        "gd => gd._fullData.map(t => [t.name, Array.from(t.y).filter(v => v !== null && !Number.isNaN(v)).length])")
    assert ["your diary", plotted] in fit, fit
    assert any(name == "personal model" and n > 0 for name, n in fit), fit
    changes = page.locator(".st-key-twin_whatif_plot .js-plotly-plot").evaluate("gd => Array.from(gd._fullData[0].x)")
    assert changes == ["sleep +1h", "stress -30%", "start cbt", "exercise 3x/week"], changes
    pathways = page.locator(".st-key-twin_drivers_plot .js-plotly-plot").evaluate("gd => Array.from(gd._fullData[0].y)")
    assert {"sleep", "stress"} <= set(pathways), pathways
    assert page.locator('[data-testid="stAlert"]').filter(has_text="could not be read").count() == 0
    assert page.get_by_text("not a medical device").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "diary-example.png"))


def test_the_example_diary_opens_with_one_click(app_url, page):
    from painloop.twin import example_diary_path, read_diary_csv

    page.goto(f"{app_url}/diary")
    page.get_by_role("button", name="Try it with the example diary").click()
    page.wait_for_selector(".st-key-diary_plot .js-plotly-plot .main-svg")
    wait_idle(page)
    plotted = page.locator(".st-key-diary_plot .js-plotly-plot").evaluate(
        "gd => Array.from(gd._fullData[0].y).filter(v => v !== null && !Number.isNaN(v)).length")
    assert plotted == len(read_diary_csv(example_diary_path()))
    assert page.get_by_role("button", name="Fit my personal model").count() == 1


def test_a_malformed_diary_shows_row_and_field_and_the_app_keeps_working(app_url, page, tmp_path):
    bad = tmp_path / "bad_diary.csv"
    bad.write_text("date,pain,sleep_hours\n2024-01-01,5,7\n2024-01-02,11,7\n2024-13-01,4,7\n", encoding="utf-8")
    page.goto(f"{app_url}/diary")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(bad))
    error = page.locator('[data-testid="stAlert"]').filter(has_text="could not be read")
    error.wait_for()
    wait_idle(page)
    text = error.inner_text()
    assert "row 3, field 'pain'" in text and "out of range" in text, text
    assert "row 4, field 'date'" in text, text
    assert page.locator(".st-key-diary_plot").count() == 0
    page.screenshot(path=str(ARTIFACTS / "diary-error.png"))
    page.get_by_role("link", name="Explore").click()
    page.wait_for_selector(".st-key-pain_plot .js-plotly-plot .main-svg")
    wait_idle(page)
    assert 0.0 <= float(metric(page, "Mean NRS, last week")) <= 10.0


def test_every_page_has_a_working_url_and_there_is_no_deploy_button(app_url, page):
    for path, text in (("/explore", "Explore"), ("/trial", "Virtual trial"), ("/diary", "My diary"),
                       ("/parameters", "Parameters")):
        page.goto(f"{app_url}{path}")
        page.locator("h1").filter(has_text=text).first.wait_for()
        wait_idle(page)
        assert page.get_by_text("Page not found").count() == 0, path
        assert page.get_by_role("button", name="Deploy").count() == 0
        assert page.locator('[data-testid="stAppDeployButton"]').count() == 0
    page.goto(app_url)  # the root opens Explore at its own address
    page.wait_for_url("**/explore")


def test_the_trial_page_runs_a_small_trial_with_progress(app_url, page):
    page.goto(f"{app_url}/trial")
    page.get_by_text("Run the trial").first.wait_for()
    wait_idle(page)
    page.get_by_label("Patients per arm").fill("4")
    page.get_by_label("Patients per arm").press("Enter")
    page.locator(".st-key-trial_weeks").click()
    page.get_by_role("option", name="2", exact=True).click()
    page.get_by_role("button", name="Run the trial").click()
    page.locator('[data-testid="stProgress"]').first.wait_for(timeout=60_000)  # progress shows while it runs
    page.get_by_text("NNT (50 % relief)").wait_for(timeout=600_000)
    wait_idle(page)
    page.locator(".st-key-trial_nrs_plot").scroll_into_view_if_needed()
    page.wait_for_selector(".st-key-trial_nrs_plot .js-plotly-plot .main-svg")
    weeks = page.locator(".st-key-trial_nrs_plot .js-plotly-plot").evaluate("gd => gd._fullData.map(t => t.x.length)")
    assert weeks == [3, 3]  # week 0 (baseline) + 2 weeks, one line per arm
    change = float(metric(page, "Mean change, placebo").split()[0])
    assert -10.0 <= change <= 10.0
    assert page.get_by_text("not a medical device").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "trial.png"))


def test_parameter_page_search(app_url, page):
    page.goto(f"{app_url}/parameters")
    caption = page.get_by_text("parameters. Units and sources")
    caption.wait_for()
    total = int(caption.inner_text().split(" of ")[1].split()[0])
    from painloop.app.views.parameters import filter_rows
    from painloop.io import param_rows

    rows = pd.DataFrame(param_rows())
    expected = len(filter_rows(rows, "loop_"))
    assert total == len(rows) and expected == len(LOOP_GAINS)
    page.get_by_label("Search parameters").fill("loop_")
    page.get_by_label("Search parameters").press("Enter")
    page.get_by_text(f"{expected} of {total} parameters").wait_for()
    wait_idle(page)
    assert page.get_by_text("not a medical device").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "parameters.png"))
