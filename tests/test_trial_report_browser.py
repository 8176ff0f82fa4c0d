"""The trial report holds its layout for 2, 3 and 8 arms, checked in a real browser (Debian's chromium + Playwright):
no overlapping text in any figure, forest-plot rows at least 20 px apart, tables that wrap inside the page."""

from __future__ import annotations

import shutil
import warnings

import pytest

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make browser)")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

# Bounding boxes of every text element plotly draws (tick labels, axis titles, legend entries, titles), per figure.
_BOXES = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(div => {
  const pick = sel => Array.from(div.querySelectorAll(sel)).map(e => {
     const r = e.getBoundingClientRect(); return {sel, text: e.textContent, x: r.x, y: r.y, w: r.width, h: r.height};
  }).filter(b => b.w > 0 && b.h > 0 && b.text.trim() !== '');
  return {id: div.closest('.figure').id, boxes: [].concat(pick('.xtick text'), pick('.ytick text'), pick('.g-xtitle text'),
          pick('.g-ytitle text'), pick('.legend .traces text'), pick('.gtitle'))};
})"""


def _overlap(a: dict, b: dict, tol: float = 0.5) -> bool:
    return (a["x"] + tol < b["x"] + b["w"] and b["x"] + tol < a["x"] + a["w"] and
            a["y"] + tol < b["y"] + b["h"] and b["y"] + tol < a["y"] + a["h"])


@pytest.fixture(scope="module")
def eight_arm_trial():
    """A real (small, short) simulated trial with the eight arms of the built-in Finnerup design."""
    import painloop as pl

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no "Mean of empty slice" or similar on the way
        trial = pl.trial("finnerup", n_per_arm=4, weeks=4, seed=11)
        trial.report_html()
    return trial


def _with_arms(trial, arms: list[str]):
    """The same simulated patients restricted to some arms, with the endpoints recomputed for them."""
    from painloop.api import Trial
    from painloop.trials import comparison_table, endpoint_table, parse_design, smd_table

    r = trial.result
    data = r.design.model_dump(mode="json")
    data["arms"] = [a for a in data["arms"] if a["name"] in arms]
    data["published"] = {k: v for k, v in data["published"].items() if k in arms}
    design = parse_design(data, "subset")
    sub = type(r)(design, r.patients[r.patients["arm"].isin(arms)].reset_index(drop=True),
                  {k: v for k, v in r.diaries.items() if k in arms}, r.screened, r.screened_table, r.params_used)
    endpoints = endpoint_table(sub)
    return Trial(sub, endpoints, smd_table(sub), comparison_table(sub, endpoints))


@pytest.mark.parametrize("arms", [["placebo", "duloxetine"], ["placebo", "pregabalin", "tramadol"], None],
                         ids=["2 arms", "3 arms", "8 arms"])
def test_trial_report_layout_holds_for_any_number_of_arms(eight_arm_trial, arms, tmp_path):
    from playwright.sync_api import sync_playwright

    names = [a.name for a in eight_arm_trial.result.design.arms]
    assert len(names) == 8
    trial = eight_arm_trial if arms is None else _with_arms(eight_arm_trial, arms)
    n_arms = len(trial.result.design.arms)
    path = tmp_path / "report.html"
    path.write_text(trial.report_html(), encoding="utf-8")
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("http*://**", lambda route: (errors.append(route.request.url), route.abort()))
        page.goto(path.as_uri())
        page.wait_for_selector("#forest-plot .main-svg")
        figures = page.evaluate(_BOXES)
        overflow = page.evaluate("""() => ({page: document.documentElement.scrollWidth - window.innerWidth,
            tables: Array.from(document.querySelectorAll('table')).map(t => t.getBoundingClientRect().right -
                                                                          document.body.getBoundingClientRect().right)})""")
        browser.close()
    assert errors == [], f"page errors or network requests: {errors}"
    assert {f["id"] for f in figures} == {"forest-plot", "responder-curves", "nrs-over-time"}
    for fig in figures:
        boxes = fig["boxes"]
        clashes = [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:] if _overlap(a, b)]
        assert clashes == [], f"{fig['id']} ({n_arms} arms): overlapping text {clashes[:5]}"
    forest = next(f for f in figures if f["id"] == "forest-plot")
    rows = sorted((b for b in forest["boxes"] if b["sel"] == ".ytick text"), key=lambda b: b["y"])
    assert [b["text"] for b in rows] == [a.name for a in trial.result.design.arms if not a.placebo]
    gaps = [b["y"] - a["y"] for a, b in zip(rows, rows[1:])]
    assert all(g >= 20 for g in gaps), f"forest rows squashed: {gaps}"
    assert overflow["page"] <= 0, "the page scrolls sideways"
    assert max(overflow["tables"]) <= 1, f"a table runs past the page: {overflow['tables']}"


def test_comparison_nnh_is_rounded(eight_arm_trial):
    for v in eight_arm_trial.comparison["nnh"]:
        if v is not None and v == v and v != float("inf"):
            assert round(v, 2) == v
