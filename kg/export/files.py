"""Replace output files all together or not at all."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import KGError


def replace_files(folder: Path, contents: dict[str, str | bytes]) -> list[Path]:
    """Write every file to a temporary name first, then move them into place.

    If anything fails while writing, no file in ``folder`` has been touched.
    Each final rename is atomic, so a reader never sees half a file.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KGError(f"cannot create output folder {str(folder)!r}: {exc.strerror}") from None
    staged: list[tuple[str, Path]] = []
    try:
        for name, content in sorted(contents.items()):
            data = content.encode("utf-8") if isinstance(content, str) else content
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            staged.append((tmp, folder / name))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the export from other users
    except BaseException as exc:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        if isinstance(exc, OSError):
            raise KGError(f"cannot write to {str(folder)!r}: {exc.strerror}; the previous files are untouched") from None
        raise
    for tmp, final in staged:
        os.replace(tmp, final)
    return [final for _, final in staged]
