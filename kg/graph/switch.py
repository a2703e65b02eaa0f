"""The switch of an export folder from one build to the next, all or nothing.

A build stages its files in ``.kg-staging/``, then, holding ``.kg-switch``
exclusively, writes ``.kg-journal`` (the list of staged files, itself moved
in by one rename), renames each staged file into place and deletes the
journal. A build killed between those renames leaves the journal behind; the
next reader or build rolls it forward (every staged file is complete once the
journal exists), so nobody ever reads a folder mixed between two builds.
Readers hold ``.kg-switch`` shared while they open the files they need.
Builds also hold ``.kg-lock`` for their whole write, so that two cannot
interleave. Both lock files are fcntl locks: the kernel drops them when their
holder dies, kill -9 included.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
from pathlib import Path

from kg.errors import KGError

BUILD_LOCK = ".kg-lock"
SWITCH_LOCK = ".kg-switch"
JOURNAL = ".kg-journal"
STAGING = ".kg-staging"


@contextlib.contextmanager
def reading(export: Path):
    """Hold the switch lock shared while reading ``export`` (a folder, or a file in one).

    A journal left by a killed build is rolled forward first. A folder no build
    with this mechanism has written (no lock file) is read as it is.
    """
    folder = Path(export)
    if not folder.is_dir():
        folder = folder.parent
    try:
        fd = os.open(folder / SWITCH_LOCK, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            # stderr, because stdout may be the answer a script reads
            print(f"waiting for a build to finish replacing the files in {folder}", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_SH)
        while (folder / JOURNAL).exists():
            fcntl.flock(fd, fcntl.LOCK_EX)  # released from shared first; the journal is checked again below
            roll_forward(folder)
            fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def roll_forward(folder: Path) -> None:
    """Finish the switch a killed build began; the caller holds the switch lock exclusively."""
    journal = folder / JOURNAL
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        raise KGError(f"cannot read {str(journal)!r} ({exc}); delete it and run 'kg build' again") from None
    staging = folder / entry["staging"]
    try:
        for name, staged_name in sorted(entry["files"].items()):
            staged = staging / staged_name
            if staged.exists():  # else moved before the build died
                os.replace(staged, folder / name)
        journal.unlink()
    except OSError as exc:
        raise KGError(f"cannot finish the switch a killed build began in {str(folder)!r}: {exc.strerror}; "
                      f"run 'kg build' there with write access") from None


def open_lock(folder: Path, name: str) -> int:
    return os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o644)
