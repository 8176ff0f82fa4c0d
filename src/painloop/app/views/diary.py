"""My diary page: upload a pain diary (CSV or FHIR JSON), get it validated and plotted, fit a personal model to it.

The fit, forecast and what-if run on this machine (nothing is sent anywhere); they take about half a minute.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from painloop.app.figures import diary_figure
from painloop.errors import user_message
from painloop.twin import DiaryError, compare, drivers, example_diary_path, fit_twin, forecast, read_diary
from painloop.twin.report import drivers_figure, fit_figure, forecast_figure, whatif_figure

WHATIF_CHANGES: tuple[str, ...] = ("sleep +1h", "stress -30%", "start cbt", "exercise 3x/week")
"""Changes compared with "as is" on this page (the CLI takes any, see `painloop twin whatif --help`)."""

FORECAST_WEEKS = 8

FORMAT_HELP = """\
One row per day, UTF-8 CSV with a header row:

| column | required | values |
|---|---|---|
| `date` | yes | ISO 8601 date, e.g. `2024-03-01`, each date once |
| `pain` | yes | average pain that day, 0-10 |
| `sleep_hours` | no | hours slept, 0-24 |
| `stress` | no | self-rated stress, 0-10 |
| `mood` | no | self-rated mood, 0 (worst) to 10 (best) |
| `medication` | no | e.g. `pregabalin 75 mg bid` (names from `painloop treatments`) |

A FHIR R4 Bundle (JSON) of pain (LOINC 72514-3) and sleep Observations is read too.
"""


def _name(name: str) -> str:
    """The uploaded file's name as shown (no folders, no markdown)."""
    return "".join(ch for ch in name.replace("\\", "/").rsplit("/", 1)[-1] if ch.isalnum() or ch in " ._-")[:80]


def render() -> None:
    """Uploader, format help, and either the diary plot or the validation errors."""
    st.title("My diary")
    st.info("Upload a diary to check it, see it plotted and fit a personal model to it. Everything runs on this "
            "machine; nothing is sent anywhere.")
    with st.expander("Diary file format", expanded=False):
        st.markdown(FORMAT_HELP)
        st.download_button("Download the example diary (synthetic, generated from the model)",
                           data=example_diary_path().read_bytes(), file_name="example_diary.csv", mime="text/csv")
        st.caption("The example contains no data from any person: it is the simulated diabetic patient of the "
                   "built-in scenario 'diabetes-calm' with varying nights and a stressful period, daily mean pain "
                   "plus noise, with some days missing.")
    upload = st.file_uploader("Pain diary (CSV or FHIR JSON)", type=["csv", "json"], key="diary_upload")
    if upload is None:
        if st.button("Try it with the example diary (synthetic)", key="use_example_diary"):
            st.session_state["diary_example"] = True
        if not st.session_state.get("diary_example"):
            return
        name, data, kind = "example_diary.csv (synthetic)", example_diary_path().read_bytes(), "csv"
    else:
        st.session_state["diary_example"] = False
        name, data = upload.name, upload.getvalue()
        kind = "fhir" if upload.name.lower().endswith(".json") else "csv"
    try:
        diary = read_diary(data, kind, aggregate="mean")
    except DiaryError as e:
        st.error(f"**{_name(name)} could not be read.** Please fix these problems and upload again:\n\n"
                 + "\n".join(f"- {p}" for p in e.problems[:10])
                 + (f"\n- … and {len(e.problems) - 10} more" if len(e.problems) > 10 else ""))
        return
    first, last = diary["date"].iloc[0].date(), diary["date"].iloc[-1].date()
    span = (last - first).days + 1
    c1, c2, c3 = st.columns(3)
    c1.metric("Days recorded", f"{len(diary)} of {span}")
    c2.metric("Mean pain (NRS)", f"{diary['pain'].mean():.1f}")
    if "sleep_hours" in diary and diary["sleep_hours"].notna().any():
        c3.metric("Mean sleep (h)", f"{diary['sleep_hours'].mean():.1f}")
    st.caption(f"From {first} to {last}.")
    st.plotly_chart(diary_figure(diary), key="diary_plot")
    with st.expander("Table"):
        st.dataframe(diary.assign(date=diary["date"].dt.date), hide_index=True)
    if "entries" in diary and (diary["entries"] > 1).any():
        from painloop.twin.diary import AGGREGATION_RULE

        st.caption(f"{int((diary['entries'] > 1).sum())} days have several entries: {AGGREGATION_RULE}.")
    _personal_model(diary.drop(columns=["entries"]), hashlib.sha256(data).hexdigest())


def _personal_model(diary, key: str) -> None:
    """Fit button; then the fit, what drives the pain and the what-if forecasts (kept for this upload)."""
    st.header("Personal model")
    st.caption("A model of the same kind as Explore's, with five personal factors adjusted to follow this diary, "
               "staying close to typical values where the diary says little. It assumes diabetic neuropathy as the "
               "cause and uses pain, sleep hours, stress and medication; sleep quality, mood and activity are shown "
               "but not used by the model. Research and education only — not medical advice.")
    results = st.session_state.setdefault("twin_results", {})
    if key not in results:
        if not st.button("Fit my personal model (about half a minute)", key="fit_twin"):
            return
        bar = st.progress(0.0, text="Fitting…")
        try:
            twin = fit_twin(diary, progress=lambda f, stage: bar.progress(min(1.0, 0.7 * f),
                                                                          text=f"Fitting: {stage}… {0.7 * f:.0%}"))
        except Exception as e:  # noqa: BLE001 - a short message, never a traceback (painloop.errors)
            bar.empty()
            st.error(f"The personal model could not be fitted: {user_message(e)}")
            return
        bar.progress(0.7, text="Forecasting what-if changes…")
        fc = forecast(twin, list(WHATIF_CHANGES), weeks=FORECAST_WEEKS,
                      progress=lambda f: bar.progress(0.7 + 0.2 * f, text=f"Forecasting what-if changes… "
                                                                          f"{0.7 + 0.2 * f:.0%}"))
        bar.progress(0.9, text="What drives the pain…")
        drv = drivers(twin, progress=lambda f: bar.progress(0.9 + 0.1 * f, text="What drives the pain…"))
        results[key] = (twin, fc, compare(fc), drv)
        bar.empty()
    twin, fc, cmp, drv = results[key]
    st.plotly_chart(fit_figure(twin), key="twin_fit_plot")
    left, right = st.columns(2)
    left.plotly_chart(drivers_figure(drv), key="twin_drivers_plot")
    right.plotly_chart(whatif_figure(cmp), key="twin_whatif_plot")
    st.plotly_chart(forecast_figure(fc), key="twin_forecast_plot")
    table = cmp.rename(columns={"nrs_mean": "mean NRS", "change_vs_as_is": "change vs as is"})
    st.dataframe(table, hide_index=True)
    st.caption(f"Forecasts {FORECAST_WEEKS} weeks ahead; bands are 90 % credible intervals over the personal factors. "
               "For a different change use `painloop twin whatif`. These are model scenarios, not advice.")
