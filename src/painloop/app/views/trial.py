"""Virtual trial page: a small placebo-controlled trial run in the app, with progress, endpoints and figures.

Small trials (a few dozen patients, a few weeks) run in about a minute on a laptop; their intervals are wide. The
full designs (e.g. ``painloop trial --design finnerup``, 300 patients per arm) run from the command line.
"""

from __future__ import annotations

import streamlit as st

REGIMENS: dict[str, list[str]] = {
    "duloxetine": ["duloxetine 30 mg qd from day 0 to day 7; 60 mg qd from day 7"],
    "pregabalin": ["pregabalin 75 mg bid from day 0 to day 7; 150 mg bid from day 7"],
    "amitriptyline": ["amitriptyline 25 mg qhs from day 0 to day 7; 50 mg qhs from day 7"],
    "gabapentin": ["gabapentin 300 mg tid from day 0 to day 7; 600 mg tid from day 7"],
    "tramadol": ["tramadol 50 mg qid from day 0 to day 7; 75 mg qid from day 7"],
    "cbt": [{"therapy": "cbt", "start_day": 0}],
}
"""Active arms offered on the page: the titration regimens of the built-in ``finnerup`` design (CBT: a programme);
simulation only, not dosing advice."""

WEEKS = (2, 4, 8, 12)


def small_design(active: str, n_per_arm: int, weeks: int, seed: int) -> dict:
    """A two-arm, blinded, placebo-controlled design as a mapping (see ``painloop.trials.TrialDesign``)."""
    # screen generously: about a third of screened diabetic patients have the NRS ≥ 4 the trial needs, and a small
    # trial must not fail for want of a few of them
    return {"name": f"app-{active}-vs-placebo", "seed": int(seed), "duration_weeks": float(weeks), "screen_factor": 8.0,
            "arms": [{"name": "placebo", "n": int(n_per_arm), "placebo": True},
                     {"name": active, "n": int(n_per_arm), "treatments": REGIMENS[active]}]}


def render() -> None:
    """Design form, a run button with progress, then endpoints, CONSORT counts and figures."""
    st.title("Virtual trial")
    st.caption("A small simulated randomised trial against placebo in painful diabetic neuropathy: virtual patients "
               "with their diabetes history (the last year simulated), a one-week run-in, inclusion at NRS ≥ 4, daily diaries, "
               "dropout. Research and education only — simulated patients, not evidence about any treatment.")
    with st.form("trial_design"):
        c1, c2, c3, c4 = st.columns(4)
        active = c1.selectbox("Active arm", list(REGIMENS), key="trial_active")
        n = c2.number_input("Patients per arm", min_value=4, max_value=60, value=12, step=2, key="trial_n")
        weeks = c3.selectbox("Weeks of treatment", WEEKS, index=1, key="trial_weeks")
        seed = c4.number_input("Seed", min_value=0, max_value=10_000, value=1, key="trial_seed")
        submitted = st.form_submit_button("Run the trial", key="trial_run")
    results = st.session_state.setdefault("trial_results", {})
    design = small_design(active, int(n), int(weeks), int(seed))
    key = repr(design)
    if submitted and key not in results:
        from painloop.api import trial as run_trial

        stages = 1 + len(design["arms"])
        bar = st.progress(0.0, text="Screening virtual patients (untreated history and run-in)…")
        done = [0]

        def progress(message: str) -> None:
            done[0] += 1
            bar.progress(min(0.95, done[0] / (stages + 1)), text=message)

        results[key] = run_trial(design, progress=progress)
        bar.progress(1.0, text="Done")
        bar.empty()
    if key not in results:
        st.info("Choose the design and press **Run the trial** (about a minute for 12 patients per arm over 4 weeks).")
        return
    tr = results[key]
    from painloop.trials.report import nrs_figure, responder_figure

    e = tr.endpoints.set_index("arm")
    c1, c2, c3 = st.columns(3)
    c1.metric(f"Mean change, {active}", f"{e.loc[active, 'mean_change']:.2f} NRS")
    c2.metric("Mean change, placebo", f"{e.loc['placebo', 'mean_change']:.2f} NRS")
    nnt = e.loc[active, "nnt_50"]
    c3.metric("NNT (50 % relief)", "∞" if nnt is None or nnt == float("inf") else f"{nnt:.1f}")
    st.dataframe(tr.endpoints, hide_index=True, key="trial_endpoints")
    left, right = st.columns(2)
    left.plotly_chart(nrs_figure(tr.result), key="trial_nrs_plot")
    right.plotly_chart(responder_figure(tr.result), key="trial_responder_plot")
    flow = tr.result.patients.groupby(["arm", "reason"]).size().unstack(fill_value=0)
    st.dataframe(flow, key="trial_flow")
    st.download_button("Download the trial report (HTML)", data=tr.report_html(), file_name=f"{design['name']}.html",
                       mime="text/html", key="trial_report")
    st.caption(f"{tr.result.screened} patients screened, {len(tr.result.patients)} randomised. A small trial: the "
               "numbers move from seed to seed. Larger designs: `painloop trial`.")
