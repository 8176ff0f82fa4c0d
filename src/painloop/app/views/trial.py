"""Virtual trial page: virtual trials run from the command line; the page says how, and runs nothing itself."""

from __future__ import annotations

import streamlit as st


def render() -> None:
    """Say plainly that virtual trials run with ``painloop trial`` and are not run from this page yet."""
    st.title("Virtual trial")
    st.info("Virtual trials are not available in the app yet. They run from the command line, e.g. "
            "`painloop trial --design finnerup --out out/finnerup`, which writes the endpoints (NNT, NNH, responder "
            "rates) and a report with the forest plot and the CONSORT flow.")
