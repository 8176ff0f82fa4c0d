"""Progress of work done in named stages: each stage is a declared share of one bar that only moves forward.

A callback receives ``(fraction, stage)``: the fraction of the whole work done
(0-1, never decreasing) and the name of the stage under way. Callbacks written
for a bare fraction (``lambda f: ...``) keep working: :func:`as_stage_callback`
adapts them.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable, Sequence

StageCallback = Callable[[float, str], None]
"""Called with the fraction of the whole work done (0-1) and the stage under way."""


def _takes_two(callback: Callable[..., None]) -> bool:
    """True if ``callback`` can be called with two positional arguments."""
    try:
        sig = inspect.signature(callback)
    except (TypeError, ValueError):  # builtins without a signature: assume the plain (fraction) form
        return False
    try:
        sig.bind(0.0, "")
    except TypeError:
        return False
    return True


def as_stage_callback(callback: Callable[..., None] | None) -> StageCallback | None:
    """``callback`` as a :data:`StageCallback`; one taking only the fraction gets the fraction alone."""
    if callback is None or _takes_two(callback):
        return callback
    return lambda fraction, stage: callback(fraction)


@dataclass
class StageProgress:
    """Maps progress within named stages to one monotone fraction of the whole and reports it.

    ``stages`` lists (name, weight) in the order the work runs; each stage gets
    ``weight / sum(weights)`` of the bar (weights: measured typical durations).
    :meth:`update` may only move forward: to a later stage, or further within
    the current one; an unknown or an earlier stage raises ValueError (a bug in
    the caller, not a user error).
    """

    stages: Sequence[tuple[str, float]]
    callback: StageCallback | None = None
    _start: dict[str, float] = field(init=False, repr=False)
    _share: dict[str, float] = field(init=False, repr=False)
    _order: dict[str, int] = field(init=False, repr=False)
    _current: int = field(init=False, default=-1, repr=False)
    _done: float = field(init=False, default=0.0, repr=False)

    def __post_init__(self) -> None:
        names = [n for n, _ in self.stages]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"stages need distinct names, got {names}")
        if any(not (w > 0.0) for _, w in self.stages):
            raise ValueError(f"stage weights must be positive, got {list(self.stages)}")
        total = float(sum(w for _, w in self.stages))
        self._start, self._share, self._order = {}, {}, {}
        at = 0.0
        for i, (name, weight) in enumerate(self.stages):
            self._start[name], self._share[name], self._order[name] = at, weight / total, i
            at += weight / total

    @property
    def fraction(self) -> float:
        """Fraction of the whole work reported so far (0-1)."""
        return self._done

    def update(self, stage: str, within: float = 0.0, label: str | None = None) -> None:
        """Report ``within`` (0-1, clipped) of ``stage`` done; ``label`` replaces the stage name shown."""
        if stage not in self._order:
            raise ValueError(f"unknown stage {stage!r}; declared: {[n for n, _ in self.stages]}")
        if self._order[stage] < self._current:
            raise ValueError(f"stage {stage!r} reported after a later stage")
        self._current = self._order[stage]
        within = min(max(float(within), 0.0), 1.0)
        self._done = max(self._done, min(self._start[stage] + self._share[stage] * within, 1.0))
        if self.callback is not None:
            self.callback(self._done, label or stage)

    def within(self, stage: str) -> Callable[[float], None]:
        """A plain fraction callback for the work of ``stage`` (e.g. a solver's own progress)."""
        return lambda x: self.update(stage, x)

    def finish(self) -> None:
        """Report the last stage complete (fraction 1)."""
        self.update(self.stages[-1][0], 1.0)
