"""One error path for everything a user can get wrong, and the one way such errors reach the user.

Every error caused by input (a file, a field, a row, a command-line option, a
resource request too large for this machine) is a :class:`PainloopInputError`
or a subclass of it (``ScenarioError``, ``TrialDesignError``, ``DiaryError``,
``ChangeError``, ``RegimenError``, ``TwinFileError``, …). Its message names
where the problem is, what was wrong and what is allowed. The command line
(:func:`painloop.cli.main`) prints such errors as one short message and exits
with status 2; any other exception is an internal failure: a short message,
exit status 1, and the traceback only with ``--debug``. The app uses
:func:`user_message` in the same way, so neither shows a Python traceback or a
server path to a user.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping

EXIT_INPUT = 2
"""Exit status for bad input (and refused resource requests)."""
EXIT_INTERNAL = 1
"""Exit status for an internal failure (a bug, or a simulation that did not complete)."""


class PainloopInputError(ValueError):
    """Input that cannot be used. The message names the file/field/row, what was wrong and what is allowed.

    ``where`` (e.g. ``"scenario.yaml, field params.k_nrs"``) and ``allowed``
    (e.g. ``"a finite number ≥ 0"``) are kept separately for programs that
    want them; ``str(error)`` is the whole message.
    """

    def __init__(self, message: str, *, where: str | None = None, allowed: str | None = None) -> None:
        self.where, self.allowed = where, allowed
        text = message
        if where and not message.startswith(where):
            text = f"{where}: {text}"
        if allowed and allowed not in text:
            text = f"{text} (allowed: {allowed})"
        super().__init__(text)


class ResourceLimitError(PainloopInputError):
    """A request that would not fit this machine (memory, time span); the message gives the estimate and the limit."""


class OutputBusyError(PainloopInputError):
    """Another painloop process is writing into the same output folder."""


def is_input_error(exc: BaseException) -> bool:
    """True for errors caused by input: :class:`PainloopInputError` and pydantic validation errors."""
    if isinstance(exc, PainloopInputError):
        return True
    try:
        from pydantic import ValidationError
    except ImportError:  # pragma: no cover - pydantic is a dependency
        return False
    return isinstance(exc, ValidationError)


def user_message(exc: BaseException) -> str:
    """The short text shown to a user for ``exc``: the input error's message, or one line for an internal failure.

    Never a traceback, never a path of the installed package.
    """
    if is_input_error(exc):
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            lines = ["invalid input:"]
            for e in exc.errors():
                loc = ".".join(str(x) for x in e["loc"]) or "(top level)"
                lines.append(f"  {loc}: {e['msg']}")
            return "\n".join(lines)
        return str(exc)
    if isinstance(exc, MemoryError):
        return "internal error: the computation ran out of memory; try fewer patients, a shorter run or coarser output"
    if isinstance(exc, RecursionError):
        return "internal error: input nested too deeply to process"
    text = str(exc).splitlines()[0] if str(exc) else ""
    text = _strip_paths(text)[:300]
    return f"internal error ({type(exc).__name__}{': ' + text if text else ''}); this is a bug in painloop"


def _strip_paths(text: str) -> str:
    """Replace absolute paths of the installed package in ``text`` by ``<painloop>`` (no server paths to users)."""
    from pathlib import Path

    root = str(Path(__file__).resolve().parent)
    return text.replace(root, "<painloop>")


def check_finite(values: Mapping[str, object] | Iterable[tuple[str, object]], where: str) -> None:
    """Raise :class:`PainloopInputError` naming each non-finite (NaN, ±inf) or non-numeric value.

    ``values`` maps names to numbers; ``where`` says whose they are (e.g. ``"params"``).
    """
    items = values.items() if isinstance(values, Mapping) else values
    bad = []
    for name, value in items:
        try:
            ok = math.isfinite(float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            ok = False
        if not ok:
            bad.append(f"{name} = {value!r}")
    if bad:
        raise PainloopInputError(f"{where}: {', '.join(bad)} is not a finite number", allowed="finite numbers "
                                 "(no .nan, .inf)")
