"""Virtual trial page: the feature does not exist yet, and the page says so."""

from __future__ import annotations

import streamlit as st


def render() -> None:
    """Say plainly that virtual trials are not available yet."""
    st.title("Virtual trial")
    st.info("Virtual trials are not available yet in this version. Treatments are not implemented in the model "
            "yet, so there is nothing to compare.")
