"""Streamlit entry point of the painloop app: ``streamlit run main.py`` (see :mod:`painloop.app.launch`)."""

from __future__ import annotations

import streamlit as st

from painloop import DISCLAIMER, __version__
from painloop.app.views import diary, explore, parameters, trial
from painloop.errors import user_message

st.set_page_config(page_title="painloop", layout="wide", menu_items={"Get help": None, "Report a bug": None,
                                                                      "About": f"painloop {__version__}. {DISCLAIMER}"})

EXPLORE = st.Page(explore.render, title="Explore", url_path="explore")


def _start() -> None:
    """The root URL: open Explore at its own address (/explore), so that every page has a working URL."""
    st.switch_page(EXPLORE)


page = st.navigation([st.Page(_start, title="Start", url_path="start", default=True, visibility="hidden"), EXPLORE,
                      st.Page(trial.render, title="Virtual trial", url_path="trial"),
                      st.Page(diary.render, title="My diary", url_path="diary"),
                      st.Page(parameters.render, title="Parameters", url_path="parameters")])
st.warning(DISCLAIMER, icon=":material/info:")
try:
    page.run()
except Exception as e:  # noqa: BLE001 - one short message instead of a traceback with server paths
    if type(e).__module__.startswith("streamlit"):  # st.stop / st.rerun control flow
        raise
    st.error(user_message(e))
st.sidebar.caption(f"painloop {__version__} — runs on this computer; nothing is sent elsewhere.")
