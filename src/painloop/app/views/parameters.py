"""Parameters page: every model parameter with value, unit, plausible range, source and meaning, searchable."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from painloop.io import param_rows


def filter_rows(rows: pd.DataFrame, query: str) -> pd.DataFrame:
    """Rows whose name, subsystem, unit, source or meaning contains every word of ``query`` (case-insensitive)."""
    words = query.lower().split()
    if not words:
        return rows
    text = rows[["name", "subsystem", "unit", "source", "meaning"]].astype(str).agg(" ".join, axis=1).str.lower()
    mask = pd.Series(True, index=rows.index)
    for w in words:
        mask &= text.str.contains(w, regex=False)
    return rows[mask]


def render() -> None:
    """Search box and table of parameters."""
    st.title("Parameters")
    rows = pd.DataFrame(param_rows())
    for bound in ("lower", "upper"):  # blank for population settings (no model range): shown as empty cells
        rows[bound] = pd.to_numeric(rows[bound], errors="coerce")
    query = st.text_input("Search parameters", placeholder="e.g. cortisol, loop, sleep, Sriram",
                          key="param_search", persist_state="session")
    shown = filter_rows(rows, query)
    st.caption(f"{len(shown)} of {len(rows)} parameters. Units and sources as declared in the model code.")
    st.dataframe(shown[["name", "subsystem", "value", "unit", "lower", "upper", "source", "meaning", "range_source"]],
                 hide_index=True,
                 width="stretch", height=min(700, 38 + 35 * max(1, len(shown))))
