"""My diary page: upload a pain diary CSV, get it validated and plotted. Fitting a personal model is not available yet."""

from __future__ import annotations

import streamlit as st

from painloop.app.figures import diary_figure
from painloop.twin import DiaryError, example_diary_path, read_diary_csv

FORMAT_HELP = """\
One row per day, UTF-8 CSV with a header row:

| column | required | values |
|---|---|---|
| `date` | yes | ISO 8601 date, e.g. `2024-03-01`, each date once |
| `pain` | yes | average pain that day, 0-10 |
| `sleep_hours` | no | hours slept, 0-24 |
| `stress` | no | self-rated stress, 0-10 |
| `mood` | no | self-rated mood, 0 (worst) to 10 (best) |
"""


def render() -> None:
    """Uploader, format help, and either the diary plot or the validation errors."""
    st.title("My diary")
    st.info("Fitting a personal model to your diary is not available yet in this version. "
            "You can already check that a diary file is readable and see it plotted.")
    with st.expander("Diary file format", expanded=False):
        st.markdown(FORMAT_HELP)
        st.download_button("Download the example diary (synthetic, generated from the model)",
                           data=example_diary_path().read_bytes(), file_name="example_diary.csv", mime="text/csv")
        st.caption("The example contains no data from any person: it is the simulated diabetic patient of the "
                   "built-in scenario 'diabetes-calm', daily mean pain plus noise, with some days missing.")
    upload = st.file_uploader("Pain diary (CSV)", type=["csv"], key="diary_upload")
    if upload is None:
        return
    try:
        diary = read_diary_csv(upload.getvalue())
    except DiaryError as e:
        st.error(f"**{upload.name} could not be read.** Please fix these problems and upload again:\n\n"
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
    st.info("This is your diary as uploaded. Fitting a personal model to it is not available yet.")
    with st.expander("Table"):
        st.dataframe(diary.assign(date=diary["date"].dt.date), hide_index=True)
