"""Replace output files all together or not at all."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from kg.errors import KGError


def stage(folder: Path, name: str, content: str | bytes) -> str:
    """Write ``content`` to a temporary file beside ``folder/name``; return its path."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
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


def replace_files(folder: Path, contents: dict[str, str | bytes]) -> list[Path]:
    """Write every file to a temporary name first, then move them into place.

    If anything fails while writing, no file in ``folder`` has been touched.
    """
    with staging(folder) as staged:
        for name, content in sorted(contents.items()):
            staged[name] = stage(folder, name, content)
    return commit(folder, staged)
