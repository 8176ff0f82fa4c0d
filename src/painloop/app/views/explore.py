"""Explore page: pick a cause, its severity, life stress, time in bed and duration; see one simulated person."""

from __future__ import annotations

import streamlit as st
import yaml

from painloop.app.compute import (CAUSE_LABELS, CAUSE_TYPES, DURATIONS_DAYS, TREATMENT_START_DAY, TREATMENTS,
                                  ExploreResult, ExploreSettings, ResultCache, explore_figures, run_explore, warm_up)


@st.cache_resource(show_spinner=False)
def _compiled(cause: str) -> float:
    """Compile the solver once per cause for the whole server process (the result is the time it took, s)."""
    return warm_up(cause)


@st.cache_resource(show_spinner=False)
def _results() -> ResultCache:
    """Results of recent settings, shared by all sessions, so that going back to a setting is instant."""
    return ResultCache(max_entries=16)


def _controls() -> ExploreSettings:
    with st.sidebar:
        st.subheader("Simulated person")
        cause = st.selectbox("Cause", CAUSE_TYPES, index=CAUSE_TYPES.index("diabetes"),
                             format_func=CAUSE_LABELS.__getitem__, key="cause", persist_state="session")
        severity = st.slider("Severity", 0.0, 1.0, 0.8, 0.05, key="severity", persist_state="session",
                             disabled=cause == "none", help="0 = none, 1 = severe")
        stress = st.slider("Life stress", 0.0, 2.0, 0.1, 0.1, key="life_stress", persist_state="session",
                           help="external life stress, constant over the run: 0 everyday, 1 high, 2 extreme")
        hours = st.slider("Hours in bed", 4.0, 12.0, 8.0, 0.5, key="hours_in_bed", persist_state="session",
                          help="time in bed per night, h")
        duration = st.segmented_control("Duration (days)", DURATIONS_DAYS, default=365, key="duration_days",
                                        persist_state="session", required=True)
        treatment = st.selectbox("Treatment", list(TREATMENTS), index=0, key="treatment", persist_state="session",
                                 help=f"starts on day {TREATMENT_START_DAY}; typical regimens of published trials, "
                                      "to illustrate the mechanisms — not a dosing recommendation")
    return ExploreSettings(cause=cause, severity=float(severity), stress=float(stress), hours_in_bed=float(hours),
                           duration_days=int(duration or 365), treatment=treatment)


METRICS = (("nrs_last_week", "Mean NRS, last week", "{:.2f}", "pain, numeric rating scale 0-10"),
           ("sleep_h_last_week", "Sleep, last week (h/day)", "{:.1f}", None),
           ("depression_last_week", "Depression, last week (0-1)", "{:.2f}", None),
           ("sens_central_last_week", "Central sensitization, last week", "{:.2f}", None),
           ("qol_last_week", "Quality of life, last week", "{:.2f}", "EQ-5D-like utility: 1 full health, 0 as bad as "
                                                                     "dead (Dolan 1997 tariff weights)"))
"""(summary key, label, format, help) of the metric row."""


def _result(settings: ExploreSettings, status) -> tuple[ExploreResult, dict]:
    """The run and its figures for ``settings``: from the shared cache, or computed with progress in ``status``."""
    cache = _results()
    hit = cache.get(settings)
    if hit is not None:
        return hit  # type: ignore[return-value]
    with status.container():
        with st.spinner(f"Preparing the model for cause '{settings.cause}' (once per cause)…"):
            _compiled(settings.cause)
        bar = st.progress(0.0, text="Simulating…")
        result = run_explore(settings, progress=lambda f: bar.progress(min(1.0, f), text=f"Simulating… {f:.0%}"))
        bar.progress(1.0, text="Drawing…")
        entry = (result, explore_figures(result))
    status.empty()
    cache.put(settings, entry)
    return entry


def _metrics(slots, summary: dict, base: dict | None) -> None:
    """Fill the metric row; ``base`` (the previous setting's summary) gives each metric's change."""
    for slot, (key, label, fmt, help_text) in zip(slots, METRICS):
        delta = None if base is None else f"{summary[key] - base[key]:+.2f} vs previous setting"
        higher_is_better = key in ("sleep_h_last_week", "qol_last_week")
        slot.metric(label, fmt.format(summary[key]), delta=delta, delta_color="normal" if higher_is_better
                    else "inverse", help=help_text)


def render() -> None:
    """Controls in the sidebar; metrics, loop diagram and the report's figures in the page."""
    st.title("Explore")
    settings = _controls()
    if settings.treatment != "none":
        st.info(f"Treatment from day {TREATMENT_START_DAY}: {settings.treatment}. An illustration of what the model's "
                "mechanisms do — not a dosing recommendation and not medical advice.")
    slots = [c.empty() for c in st.columns(len(METRICS))]
    shown = st.session_state.get("explore_shown")  # (settings, summary) on screen before this change
    if shown is not None:  # keep the row in place (previous values) while the new setting is computed
        _metrics(slots, shown[1], st.session_state.get("explore_base"))
    status = st.empty()
    result, figs = _result(settings, status)
    if not result.solver_ok:
        st.error("The solver did not reach the end of this simulation; the results below are incomplete.")
    s = result.summary
    if shown is not None and shown[0] != settings:
        st.session_state["explore_base"] = shown[1]
    _metrics(slots, s, st.session_state.get("explore_base"))
    st.session_state["explore_shown"] = (settings, s)
    st.plotly_chart(figs["pain"], key="pain_plot")
    if "dosing" in figs:
        left, right = st.columns(2)
        left.plotly_chart(figs["dosing"], key="dosing_plot")
        right.plotly_chart(figs["side_effects"], key="side_effect_plot")
    st.plotly_chart(figs["loops"], key="loop_diagram")
    st.caption("Each loop arrow's width is the pain that direction of the loop carries in this run: the mean NRS "
               "minus the mean NRS of the same run with that loop gain set to 0, all computed in the same batched "
               "simulation. Red adds pain, blue relieves it; grey arrows are drivers with a fixed width.")
    with st.expander("Loop strengths as a table"):
        table = result.loops.rename(columns={"delta_nrs": "NRS carried", "delta_receiving": "effect on receiving",
                                             "receiving_unit": "unit", "window_days": "window (days)"})
        st.dataframe(table, hide_index=True)
    left, right = st.columns(2)
    left.plotly_chart(figs["cortisol"], key="cortisol_plot")
    right.plotly_chart(figs["sleep"], key="sleep_plot")
    left.plotly_chart(figs["mood"], key="mood_plot")
    right.plotly_chart(figs["mechanism"], key="mechanism_plot")
    left.plotly_chart(figs["symptoms"], key="symptom_plot")
    right.plotly_chart(figs["function"], key="function_plot")
    left.plotly_chart(figs["autonomic"], key="autonomic_plot")
    right.plotly_chart(figs["gait"], key="gait_plot")
    left.plotly_chart(figs["social"], key="social_plot")
    with st.expander("Scenario of this run (YAML, usable with `painloop run`)"):
        st.code(yaml.safe_dump(result.scenario.model_dump(mode="json"), sort_keys=False), language="yaml")
    st.caption(f"Simulated {settings.duration_days} days for 1 + {len(result.loops)} loop-cut patients in one batched "
               f"run in {result.wall_s:.2f} s, from the state reached after {result.scenario.history_days:g} days of "
               "the cause's built-in history (computed once per cause): the controls, the treatment and the loop cuts "
               "act from day 0.")
