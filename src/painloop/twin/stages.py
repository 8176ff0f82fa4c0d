"""The named stages of fitting a personal model and of ``painloop twin fit``, with their shares of the bar.

Weights are durations in seconds measured with ``painloop twin fit`` on the shipped
example diary (76 days, 64 posterior draws, 8-week forecast) on a shared 2-core
machine with a warm compilation cache; a first run also compiles, which lengthens
"first solve" and "posterior draws". "simulating the base patient" runs once per process.
Kept free of heavy imports so the command line can use them before JAX loads.
"""

from __future__ import annotations

FIT_STAGES: tuple[tuple[str, float], ...] = (
    ("simulating the base patient", 15.0),
    ("preparing the diary", 0.5),
    ("first solve (compiling the model)", 20.0),
    ("optimising", 4.0),
    ("posterior draws", 7.0),
)
"""Stages of :func:`painloop.twin.fit_twins` in order, (name, weight)."""

COMMAND_STAGES: tuple[tuple[str, float], ...] = (
    ("reading the diary", 0.2),
    ("loading the model", 8.0),
    ("fitting", sum(w for _, w in FIT_STAGES)),
    ("forecasting", 5.0),
    ("what drives the pain", 2.0),
    ("writing the report", 9.0),
)
"""Stages of ``painloop twin fit`` in order; "fitting" shows the stage of :data:`FIT_STAGES` under way."""
