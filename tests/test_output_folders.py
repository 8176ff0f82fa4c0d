"""Output folders as units: killed runs leave the folder absent or complete, re-runs replace it whole, a lock
keeps two writers apart, stale temporaries are removed at the next start.

The kill tests start the real command as a subprocess, SIGKILL it at staggered
moments (fractions of a measured full run, so they fall into start-up,
simulation and writing), and check after each kill that ``--out`` is either
absent or the complete output of a run; after the last, one more run must
leave no temporary or lock file beside the folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import xarray as xr
import yaml

from painloop.errors import OutputBusyError
from painloop.io import OutputWriteError, claim_output, release_output, write_files

PAINLOOP = [sys.executable, "-m", "painloop.cli"]
SMALL = {"name": "small-test", "duration_days": 10, "cause": {"type": "trauma", "severity": 0.6, "onset_day": 1},
         "stress": {"baseline": 0.2}, "output": {"every_hours": 2}}
TINY_TRIAL = {"name": "tiny", "seed": 1, "duration_weeks": 1, "run_in_days": 7, "screen_factor": 1.0,
              "inclusion": {"min_baseline_nrs": 0},
              "population": {"history_years": 0.5}, "endpoints": {"bootstrap": 100},
              "arms": [{"name": "placebo", "placebo": True, "n": 4},
                       {"name": "dulox", "n": 4, "treatments": ["duloxetine 60 mg qd from day 0"]}]}
KILL_FRACTIONS = (0.3, 0.7, 0.95, 0.15, 0.5, 0.9)


def leftovers(parent: Path, name: str) -> list[str]:
    """Temporaries and locks of the output ``name`` left in ``parent``."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


def _complete_run(out: Path) -> bool:
    names = {p.name for p in out.iterdir()}
    if names != {"results.nc"}:
        return False
    with xr.open_dataset(out / "results.nc") as ds:
        return ds.sizes["time"] == 10 * 12


def _complete_trial(out: Path) -> bool:
    names = {p.name for p in out.iterdir()}
    return names >= {"endpoints.csv", "smd.csv", "patients.csv", "report.html"} and \
        (out / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


def _complete_twin(out: Path) -> bool:
    names = {p.name for p in out.iterdir()}
    if names != {"twin.nc", "report.html"}:
        return False
    with xr.open_dataset(out / "twin.nc") as ds:
        return "theta_draws" in ds


def kill_at_moments(args: list[str], out: Path, complete, cwd: Path) -> list[str]:
    """Run once fully (timing it), then kill at :data:`KILL_FRACTIONS` of that time; return the states seen.

    The first half of the kills hit a re-run over the complete folder of the first run (it must stay complete:
    the old one or the new one, never absent or partial), the second half a run into a fresh path (absent or
    complete). A final run must succeed and leave no temporary or lock.
    """
    import shutil

    t0 = time.perf_counter()
    r = subprocess.run([*PAINLOOP, *args], capture_output=True, text=True, timeout=900, cwd=cwd)
    full = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr
    assert complete(out)
    seen = []
    half = len(KILL_FRACTIONS) // 2
    for i, frac in enumerate(KILL_FRACTIONS):
        if i == half:
            shutil.rmtree(out, ignore_errors=True)
        proc = subprocess.Popen([*PAINLOOP, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
        time.sleep(frac * full)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        state = "absent" if not out.exists() else ("complete" if complete(out) else "PARTIAL")
        seen.append(state)
        assert state != "PARTIAL", f"killed at {frac:.0%} of a run: {sorted(p.name for p in out.iterdir())}"
        if i < half:
            assert state == "complete", f"killed at {frac:.0%} of a re-run, the previous result vanished"
    assert "absent" in seen[half:], "no kill landed before the output was in place"
    r = subprocess.run([*PAINLOOP, *args], capture_output=True, text=True, timeout=900, cwd=cwd)
    assert r.returncode == 0, r.stderr
    assert complete(out)
    assert leftovers(out.parent, out.name) == []
    print(f"{args[0]}: full run {full:.1f} s; after kills at {KILL_FRACTIONS}: {seen}")
    return seen


def test_killed_run_leaves_no_partial_folder_and_the_next_run_cleans_up(tmp_path):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    out = tmp_path / "out"
    seen = kill_at_moments(["run", str(scenario), "--out", str(out), "--no-report"], out, _complete_run, tmp_path)
    assert len(seen) >= 5


@pytest.mark.slow
def test_killed_trial_leaves_no_partial_folder(tmp_path):
    design = tmp_path / "tiny.yaml"
    design.write_text(yaml.safe_dump(TINY_TRIAL), encoding="utf-8")
    out = tmp_path / "trial"
    kill_at_moments(["trial", str(design), "--out", str(out)], out, _complete_trial, tmp_path)


@pytest.mark.slow
def test_killed_twin_fit_leaves_no_partial_folder(tmp_path):
    from painloop.twin import example_diary_path

    out = tmp_path / "twin"
    kill_at_moments(["twin", "fit", str(example_diary_path()), "--out", str(out), "--draws", "8", "--weeks", "1"],
                    out, _complete_twin, tmp_path)


_SLOW_WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from painloop.io import write_files
    out = Path(sys.argv[1])
    def slow(p):
        p.write_text("half")
        print("writing", flush=True)
        time.sleep(60)
        p.write_text("done")
    write_files(out, {"results.csv": lambda p: p.write_text("new"), "report.html": slow})
""")


def _start_slow_writer(out: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(out)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert proc.stdout.readline().strip() == "writing"
    return proc


def test_kill_while_writing_keeps_the_previous_complete_folder(tmp_path):
    out = tmp_path / "out"
    write_files(out, {"results.csv": lambda p: p.write_text("old"), "loops.csv": lambda p: p.write_text("old")})
    proc = _start_slow_writer(out)
    assert leftovers(tmp_path, "out"), "the writer should hold a lock and a temporary while writing"
    proc.kill()
    proc.wait(timeout=30)
    assert sorted(p.name for p in out.iterdir()) == ["loops.csv", "results.csv"]
    assert (out / "results.csv").read_text() == "old"
    write_files(out, {"results.csv": lambda p: p.write_text("new")})
    assert sorted(p.name for p in out.iterdir()) == ["results.csv"], "a re-run leaves no file of the earlier run"
    assert (out / "results.csv").read_text() == "new"
    assert leftovers(tmp_path, "out") == [], "stale temporaries and locks of the killed writer are removed"


def test_second_writer_into_the_same_folder_is_refused_while_the_first_runs(tmp_path):
    out = tmp_path / "out"
    proc = _start_slow_writer(out)
    try:
        with pytest.raises(OutputBusyError, match=f"pid {proc.pid}"):
            claim_output(out)
        scenario = tmp_path / "s.yaml"
        scenario.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
        r = subprocess.run([*PAINLOOP, "run", str(scenario), "--out", str(out), "--no-report"], capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 2 and "another painloop process" in r.stderr and "Traceback" not in r.stderr
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert not out.exists()
    claim_output(out)  # the dead writer's lock is stale now
    release_output(out)
    assert leftovers(tmp_path, "out") == []


def test_failing_writer_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "out"
    write_files(out, {"results.csv": lambda p: p.write_text("old")})

    def broken(p):
        p.write_text("partial")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_files(out, {"results.csv": lambda p: p.write_text("new"), "report.html": broken})
    assert sorted(p.name for p in out.iterdir()) == ["results.csv"] and (out / "results.csv").read_text() == "old"
    assert leftovers(tmp_path, "out") == []
    new = tmp_path / "a" / "b" / "new"
    with pytest.raises(RuntimeError):
        write_files(new, {"report.html": broken})
    assert not (tmp_path / "a").exists(), "parent folders created for a failed output are removed again"


def test_folder_with_foreign_files_is_never_replaced(tmp_path):
    home = tmp_path / "Documents"
    home.mkdir()
    (home / "thesis.docx").write_text("precious")
    with pytest.raises(OutputWriteError, match="did not write"):
        write_files(home, {"results.csv": lambda p: p.write_text("x")})
    assert (home / "thesis.docx").read_text() == "precious" and sorted(p.name for p in home.iterdir()) == ["thesis.docx"]


def test_keep_existing_adds_files_to_a_folder(tmp_path):
    out = tmp_path / "twin"
    write_files(out, {"twin.nc": lambda p: p.write_text("twin"), "report.html": lambda p: p.write_text("r")})
    write_files(out, {"whatif.csv": lambda p: p.write_text("w")}, keep_existing=True)
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "twin.nc", "whatif.csv"]
    assert (out / "twin.nc").read_text() == "twin"


def test_output_below_a_file_or_unwritable_is_refused_before_anything_is_made(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(OutputWriteError, match="is a file"):
        claim_output(f / "sub" / "out")
    with pytest.raises(OutputWriteError, match="not a directory"):
        claim_output(f)
    with pytest.raises(OutputWriteError, match="is an existing directory"):
        claim_output(tmp_path, kind="file")
    if os.geteuid() != 0:  # root may write anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        with pytest.raises(OutputWriteError, match="not writable"):
            claim_output(ro / "out")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "ro") == ["file.txt"]


def test_memory_estimate_covers_the_dataset_of_a_real_run():
    """The guard's estimate is at least the size of what a run returns (it must not wave through a run that
    cannot fit), and scales with patients and save points."""
    import numpy as np

    from painloop.limits import run_bytes
    from painloop.scenario import parse_scenario
    from painloop.simulate import simulate

    sc = parse_scenario({**SMALL, "duration_days": 2})
    ds = simulate(sc, {"k_nrs": np.full(3, 1.0)})
    peak, values = run_bytes(3, 24.0 * 2, 2.0)
    assert values * 8 >= 0.9 * ds.nbytes and peak >= ds.nbytes
    assert run_bytes(6, 48.0, 2.0)[1] == 2 * values and run_bytes(3, 48.0, 1.0)[1] == 2 * values
