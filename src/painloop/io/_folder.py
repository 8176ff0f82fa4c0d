"""Output folders (and single output files) written as units, with a lock against concurrent writers.

Every command that writes results goes through :func:`write_files` (a folder)
or :func:`write_file` (one file, e.g. an SBML export):

1. :func:`claim_output` checks the path (not below a regular file, writable,
   a folder where a folder is meant), takes a lock file beside it
   (``.NAME.painloop-lock`` holding the process id) and removes temporaries
   that killed runs left beside it. A second process claiming the same
   path while the first one lives is refused (:class:`OutputBusyError`).
   Commands call it before they start computing, so bad paths and busy
   folders are refused at once.
2. Everything is written into a temporary sibling ``.NAME.painloop-tmp-PID-…``.
3. One ``renameat2(RENAME_EXCHANGE)`` swaps the new folder with the old one
   (or a rename puts a new one in place), so at every moment ``NAME`` is
   either absent, the previous complete output or the new complete output.
   The previous folder is then deleted as a whole: a re-run leaves no file
   of the earlier run (unless ``keep_existing``, used by ``twin whatif``,
   which adds files to a twin's folder).

A folder is only ever replaced when it is empty or holds nothing but files
that painloop writes (:data:`OUTPUT_NAMES` and the names of this write), so
``--out ~/Documents`` is refused instead of deleting anything.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import errno
import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..errors import OutputBusyError, PainloopInputError

OUTPUT_NAMES = frozenset({
    "results.nc", "results.csv", "loops.csv", "report.html", "endpoints.csv", "smd.csv", "patients.csv",
    "comparison.csv", "twin.nc", "whatif.csv", "whatif.html", "failed_patients.csv", "placebo_components.csv",
    "placebo_seeds.csv", "placebo_summary.csv", "population.nc", "daily.csv", "validation.csv", "credibility.html",
    "sobol.csv", "sobol.png", "morris.csv", "results_columns.csv",
})
"""File names painloop commands write into an output folder (a folder holding only these may be replaced)."""
OUTPUT_FOLDERS = frozenset({"sobol.zarr"})
"""Folders painloop keeps inside an output folder (the resumable store of ``painloop sensitivity --method sobol``)."""

TMP_TAG = ".painloop-tmp-"
LOCK_TAG = ".painloop-lock"


class OutputWriteError(PainloopInputError):
    """An output path that cannot be written (below a file, not writable, a folder where a file is meant, …)."""


@dataclass
class _Claim:
    path: Path
    kind: str
    lock: Path
    created: list[Path] = field(default_factory=list)


_CLAIMS: dict[Path, _Claim] = {}


def _alive(pid: int) -> bool:
    """True if a Python process with this id runs (a lock or temporary of a dead process is stale).

    Where ``/proc`` shows the command line, a process id reused by another program does not count.
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return b"python" in cmdline or b"painloop" in cmdline


def _lock_path(path: Path) -> Path:
    return path.parent / f".{path.name}{LOCK_TAG}"


def _tmp_prefix(path: Path) -> str:
    return f".{path.name}{TMP_TAG}"


def _first_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def check_output_path(path: Path, *, kind: str = "folder", option: str = "--out") -> None:
    """Raise :class:`OutputWriteError` if ``path`` cannot become an output ``kind`` ('folder' or 'file')."""
    path = Path(path)
    if path.name in ("", ".", ".."):
        raise OutputWriteError(f"{option} {path}: give a {kind} path with a name (not '.', '..' or a root)")
    if path.exists():
        if kind == "folder" and not path.is_dir():
            raise OutputWriteError(f"{option} {path} exists and is not a directory; give a directory path")
        if kind == "file" and path.is_dir():
            raise OutputWriteError(f"{option} {path} is an existing directory; give a file path such as "
                                   f"{path / 'model.xml'}")
    base = _first_existing(path.parent)
    if not base.is_dir():
        raise OutputWriteError(f"{option} {path}: {base} is a file, not a directory, so nothing can be written below it")
    if not os.access(base, os.W_OK | os.X_OK):
        raise OutputWriteError(f"{option} {path}: the directory {base} is not writable by this user")


def _replaceable(path: Path, names: Iterable[str]) -> None:
    """Raise unless the existing folder ``path`` is empty or holds only painloop output files."""
    if not path.is_dir():
        return
    allowed = OUTPUT_NAMES | set(names)
    foreign = sorted(p.name for p in path.iterdir()
                     if not ((p.is_file() and p.name in allowed) or (p.is_dir() and p.name in OUTPUT_FOLDERS)))
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputWriteError(f"--out {path} holds files that painloop did not write ({shown}); an output folder is "
                               f"replaced as a whole, so choose a new or empty folder (or one written by painloop)")


def _clean_stale(path: Path) -> list[Path]:
    """Remove temporaries of ``path`` left by processes that no longer run; returns what was removed."""
    removed = []
    prefix = _tmp_prefix(path)
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        try:
            pid = int(entry.name[len(prefix):].split("-", 1)[0])
        except ValueError:
            continue
        if pid == os.getpid() or not _alive(pid):
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def _mkdirs(directory: Path) -> list[Path]:
    """Create ``directory`` and missing parents; return those created (outermost first)."""
    missing = []
    p = directory
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir()
    return list(reversed(missing))


def _take_lock(lock: Path, path: Path) -> None:
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(lock.read_text().strip() or "0")
            except (OSError, ValueError):
                pid = 0
            if pid != os.getpid() and _alive(pid):
                raise OutputBusyError(f"--out {path}: another painloop process (pid {pid}) is writing into it; wait "
                                      f"until it has finished or choose another output path") from None
            lock.unlink(missing_ok=True)  # stale: its process is gone
            continue
        with os.fdopen(fd, "w") as f:
            f.write(f"{os.getpid()}\n")
        return
    raise OutputBusyError(f"--out {path}: could not take the lock {lock.name}; another process keeps taking it")


def claim_output(path: Path | str, *, kind: str = "folder", option: str = "--out",
                 names: Iterable[str] = ()) -> Path:
    """Check ``path``, lock it for this process and remove stale temporaries; returns the path.

    Idempotent within a process. The claim is released by :func:`write_files`
    / :func:`write_file` after the output is in place, or at process exit.
    Raises :class:`OutputWriteError` or :class:`OutputBusyError`.
    """
    path = Path(path).absolute()
    if path in _CLAIMS:
        return path
    check_output_path(path, kind=kind, option=option)
    if kind == "folder":
        _replaceable(path, names)
    try:
        created = _mkdirs(path.parent)
        lock = _lock_path(path)
        _take_lock(lock, path)
    except OutputBusyError:
        raise
    except OSError as e:
        raise OutputWriteError(f"{option} {path}: cannot write there ({e.strerror or e})") from None
    _CLAIMS[path] = _Claim(path, kind, lock, created)
    _clean_stale(path)
    return path


def release_output(path: Path | str, *, success: bool = True) -> None:
    """Release this process's claim on ``path``; after a failure, remove the parent folders the claim created."""
    claim = _CLAIMS.pop(Path(path).absolute(), None)
    if claim is None:
        return
    try:
        if claim.lock.read_text().strip() == str(os.getpid()):
            claim.lock.unlink()
    except OSError:
        pass
    if not success:
        for d in reversed(claim.created):
            try:
                d.rmdir()
            except OSError:
                break


@atexit.register
def release_all() -> None:
    """Release every claim this process still holds as failed (a command that stopped before writing its output)."""
    for p in list(_CLAIMS):
        release_output(p, success=False)


def _renameat2():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_RENAMEAT2 = _renameat2()
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _swap(new: Path, target: Path) -> Path | None:
    """Put ``new`` at ``target`` in one step; returns where the previous ``target`` now lies (to delete), if any."""
    if not target.exists():
        os.rename(new, target)
        return None
    if _RENAMEAT2 is not None:
        if _RENAMEAT2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(target), _RENAME_EXCHANGE) == 0:
            return new
        if ctypes.get_errno() not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(target))
    old = new.parent / (new.name + "-old")
    os.rename(target, old)  # fallback: two renames; in between the target is briefly absent (never partial)
    os.rename(new, target)
    return old


def _new_tmp(path: Path) -> Path:
    tmp = path.parent / f"{_tmp_prefix(path)}{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir()
    return tmp


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def write_files(out_dir: Path | str, writers: dict[str, Callable[[Path], None]], *,
                keep_existing: bool = False) -> list[Path]:
    """Write each ``name → writer(path)`` into a temporary sibling of ``out_dir``, then swap it into place.

    Returns the final paths of the files written. The previous folder (if
    any) is replaced as a whole; with ``keep_existing`` its other files are
    carried over into the new folder. A failing writer leaves ``out_dir`` as
    it was and no temporary behind.
    """
    given = Path(out_dir)
    out_dir = claim_output(out_dir, names=writers)
    tmp = None
    ok = False
    try:
        tmp = _new_tmp(out_dir)
        if keep_existing and out_dir.is_dir():
            for f in out_dir.iterdir():
                if f.is_file() and f.name not in writers:
                    _link_or_copy(f, tmp / f.name)
                elif f.is_dir() and f.name in OUTPUT_FOLDERS:
                    shutil.copytree(f, tmp / f.name, copy_function=_link_or_copy)
        for name, writer in writers.items():
            writer(tmp / name)
        old = _swap(tmp, out_dir)
        tmp = old
        ok = True
        return [given / name for name in sorted(writers)]
    except PermissionError as e:
        raise OutputWriteError(f"--out {out_dir}: cannot write there ({e.strerror or e})") from None
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EACCES):
            raise OutputWriteError(f"--out {out_dir}: cannot write there ({e.strerror})") from None
        raise
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        release_output(out_dir, success=ok)


def write_file(path: Path | str, writer: Callable[[Path], object], *, option: str = "--out") -> Path:
    """Write one file through ``writer(tmp_path)`` beside ``path``, then rename it into place (atomic)."""
    given = Path(path)
    path = claim_output(path, kind="file", option=option)
    tmp = path.parent / f"{_tmp_prefix(path)}{os.getpid()}-{secrets.token_hex(4)}{path.suffix}"
    ok = False
    try:
        writer(tmp)
        os.replace(tmp, path)
        ok = True
        return given
    except PermissionError as e:
        raise OutputWriteError(f"{option} {path}: cannot write there ({e.strerror or e})") from None
    finally:
        tmp.unlink(missing_ok=True)
        release_output(path, success=ok)
