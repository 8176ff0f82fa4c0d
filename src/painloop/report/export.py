"""Exporting report figures as PNG or SVG files (plotly + kaleido, which drives a local Chrome/Chromium)."""

from __future__ import annotations

import atexit
import os
import warnings
import shutil
from pathlib import Path
from typing import Callable

import plotly.graph_objects as go


class FigureExportError(RuntimeError):
    """The figures cannot be exported (no Chrome/Chromium for kaleido); the message says how to get one."""


def _browser() -> str | None:
    """A Chrome/Chromium kaleido can drive: ``$BROWSER_PATH``, else Debian's ``chromium``, else ``google-chrome``."""
    for candidate in (os.environ.get("BROWSER_PATH"), shutil.which("chromium"), shutil.which("chromium-browser"),
                      shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


_SERVER: list[bool] = []


def _start_browser() -> None:
    """Start kaleido's browser once per process (about 3 s), so each figure then takes ~0.3 s, not ~6 s."""
    if _SERVER:
        return
    import kaleido

    kaleido.start_sync_server(silence_warnings=True)
    atexit.register(kaleido.stop_sync_server, silence_warnings=True)
    _SERVER.append(True)


def figure_writers(figures: list[tuple[str, go.Figure]], fmt: str,
                   scale: float = 2.0) -> dict[str, Callable[[Path], None]]:
    """``fig-<name>.<fmt>`` → writer for each named figure (for :func:`painloop.io.write_files`)."""
    if fmt not in ("png", "svg"):
        raise FigureExportError(f"figure format must be png or svg, got {fmt!r}")
    browser = _browser()
    if browser is None:
        raise FigureExportError("exporting figures needs Chrome or Chromium (kaleido drives it): install Debian's "
                                "`apt-get install chromium`, or set BROWSER_PATH to a Chrome executable")
    os.environ.setdefault("BROWSER_PATH", browser)

    def writer(fig: go.Figure) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            _start_browser()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # plotly: "kopts ignored if using a server"
                fig.write_image(str(path), format=fmt, scale=scale if fmt == "png" else 1.0)
        return write

    return {f"fig-{name}.{fmt}": writer(fig) for name, fig in figures}
