"""Replace output files all together or not at all."""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from kg.errors import KGError
from kg.graph.switch import BUILD_LOCK, JOURNAL, STAGING, SWITCH_LOCK, open_lock, roll_forward

# Test-only fault injection, inert unless set: "kill" makes the build kill
# itself (SIGKILL) after the first rename of a switch, "pause" makes it say
# "paused mid-switch" on stderr there and wait for a line on stdin.
FAULT = "KG_TEST_FAULT"


def stage(folder: Path, name: str, content: str | bytes) -> str:
    """Write ``content`` to a temporary file beside ``folder/name``; return its path."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before any rename names it: a power cut leaves old or new, not empty
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the export from other users
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def discard(staged: dict[str, str]) -> None:
    for tmp in staged.values():
        if os.path.exists(tmp):
            os.unlink(tmp)


def commit(folder: Path, staged: dict[str, str]) -> list[Path]:
    """Move staged files into place; each rename is atomic.

    Every target is checked first, so that a target that cannot be replaced
    (a folder of that name, say) stops the build before any file moves.
    """
    for name in staged:
        target = folder / name
        if target.is_dir():  # the folder itself is writable: the staged files are in it
            discard(staged)
            raise KGError(f"cannot replace {str(target)!r}: it is a folder; the previous files are untouched")
    done = []
    try:
        for name, tmp in sorted(staged.items()):
            os.replace(tmp, folder / name)
            done.append(name)
    except OSError as exc:
        discard({n: t for n, t in staged.items() if n not in done})
        raise KGError(f"cannot replace {str(folder / name)!r}: {exc.strerror}") from None
    return [folder / name for name in sorted(staged)]


def prepare(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KGError(f"cannot create output folder {str(folder)!r}: {exc.strerror}") from None
    return folder


def write_failed(folder: Path, exc: OSError) -> KGError:
    return KGError(f"cannot write to {str(folder)!r}: {exc.strerror}; the previous files are untouched")


@contextlib.contextmanager
def staging(folder: Path):
    """A dict of staged files (name -> temporary path) to fill for ``folder``:
    if anything fails meanwhile, they are removed and nothing in the folder is
    touched; the caller then moves them in with :func:`commit`."""
    prepare(folder)
    staged: dict[str, str] = {}
    try:
        yield staged
    except BaseException as exc:
        discard(staged)
        if isinstance(exc, OSError):
            raise write_failed(folder, exc) from None
        raise


@contextlib.contextmanager
def building(folder: Path, names, notice=None):
    """Hold ``folder``'s build lock and yield an empty staging folder inside it.

    A second build waits for the first (``notice`` is told so). Leftovers of a
    killed build are dealt with first: a switch it began is finished, its
    staged files deleted.
    """
    prepare(folder)
    try:
        lock = open_lock(folder, BUILD_LOCK)
    except OSError as exc:
        raise write_failed(folder, exc) from None
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if notice:
                notice(f"waiting for another build writing to {folder} to finish")
            fcntl.flock(lock, fcntl.LOCK_EX)
        staging_dir = folder / STAGING
        try:
            with switching(folder):
                roll_forward(folder)
            shutil.rmtree(staging_dir, ignore_errors=True)
            for name in names:  # what a killed build of earlier versions left beside the files
                for old in folder.glob(f".{name}.*.tmp"):
                    old.unlink()
            staging_dir.mkdir()
        except OSError as exc:
            raise write_failed(folder, exc) from None
        yield staging_dir
    finally:
        os.close(lock)


@contextlib.contextmanager
def switching(folder: Path):
    """Hold ``folder``'s switch lock exclusively: no reader opens a file meanwhile."""
    lock = open_lock(folder, SWITCH_LOCK)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
    finally:
        os.close(lock)


def switch(folder: Path, staged: dict[str, str]) -> list[Path]:
    """Move files staged by :func:`building` into ``folder``, all or nothing.

    The journal listing them is written first; once it exists, a build killed
    at any point is finished by the next reader or build.
    """
    for name in staged:
        target = folder / name
        if target.is_dir():
            shutil.rmtree(folder / STAGING, ignore_errors=True)
            raise KGError(f"cannot replace {str(target)!r}: it is a folder; the previous files are untouched")
    staging_dir = folder / STAGING
    entry = {"staging": STAGING, "files": {name: os.path.basename(tmp) for name, tmp in sorted(staged.items())}}
    try:
        with switching(folder):
            journal = stage(staging_dir, JOURNAL, json.dumps(entry, sort_keys=True))
            os.replace(journal, folder / JOURNAL)
            _sync_folder(folder)
            for number, name in enumerate(sorted(staged)):
                os.replace(staged[name], folder / name)
                if number == 0:
                    _fault()
            _sync_folder(folder)
            os.unlink(folder / JOURNAL)
        shutil.rmtree(staging_dir, ignore_errors=True)
    except OSError as exc:
        raise KGError(f"cannot replace the files in {str(folder)!r}: {exc.strerror}; "
                      f"the next 'kg build' or reader finishes the switch") from None
    return [folder / name for name in sorted(staged)]


def _sync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable, so that a power cut cannot undo the journal's order."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fault() -> None:
    fault = os.environ.get(FAULT)
    if fault == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif fault == "pause":
        print("paused mid-switch", file=sys.stderr, flush=True)
        sys.stdin.readline()


def replace_files(folder: Path, contents: dict[str, str | bytes]) -> list[Path]:
    """Write every file to a temporary name first, then move them into place.

    If anything fails while writing, no file in ``folder`` has been touched.
    """
    with staging(folder) as staged:
        for name, content in sorted(contents.items()):
            staged[name] = stage(folder, name, content)
    return commit(folder, staged)
