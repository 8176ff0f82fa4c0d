"""Staged progress: shares, order, monotone fractions, and callbacks of either form (no solver)."""

from __future__ import annotations

import pytest

from painloop._progress import StageProgress, as_stage_callback


def test_stages_share_the_bar_by_weight_and_only_move_forward():
    seen: list[tuple[float, str]] = []
    p = StageProgress((("a", 1.0), ("b", 3.0)), lambda f, s: seen.append((f, s)))
    p.update("a")
    p.update("a", 1.0)
    p.update("b", 0.5)
    p.update("b", 0.2)  # a smaller fraction within the stage does not move the bar back
    p.finish()
    assert [s for _, s in seen] == ["a", "a", "b", "b", "b"]
    assert [f for f, _ in seen] == pytest.approx([0.0, 0.25, 0.625, 0.625, 1.0])


def test_an_earlier_or_unknown_stage_and_bad_weights_are_refused():
    p = StageProgress((("a", 1.0), ("b", 1.0)))
    p.update("b")
    with pytest.raises(ValueError, match="after a later stage"):
        p.update("a")
    with pytest.raises(ValueError, match="unknown stage 'c'"):
        p.update("c")
    with pytest.raises(ValueError, match="positive"):
        StageProgress((("a", 0.0),))
    with pytest.raises(ValueError, match="distinct"):
        StageProgress((("a", 1.0), ("a", 1.0)))


def test_label_replaces_the_stage_name_shown():
    seen: list[str] = []
    p = StageProgress((("fitting", 1.0),), lambda f, s: seen.append(s))
    p.update("fitting", 0.3, label="optimising")
    assert seen == ["optimising"]


def test_plain_fraction_callbacks_keep_working():
    fractions: list[float] = []
    cb = as_stage_callback(lambda f: fractions.append(f))
    assert cb is not None
    cb(0.5, "optimising")
    assert fractions == [0.5]
    both: list[tuple[float, str]] = []
    two = lambda f, s: both.append((f, s))  # noqa: E731
    assert as_stage_callback(two) is two and as_stage_callback(None) is None
