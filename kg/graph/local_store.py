"""The built graph kept on disk as a pyoxigraph (RocksDB) store, opened read-only.

Parsing export/kg.nq into memory costs seconds and hundreds of megabytes on a
big graph, on every command and in every process of ``kg serve``. Instead the
quads are bulk-loaded once into an on-disk store, and every later reader opens
that store read-only: opening it takes milliseconds, and all the processes that
read it share its files through the operating system's page cache instead of
holding a copy each.

The store's folder is named by the SHA-256 of kg.nq's bytes, so a store can only
ever hold the file it is opened for: a rebuilt kg.nq has another name and gets a
store of its own, and a stale store cannot be opened by construction. A store
is loaded into a temporary folder and renamed into place, under a lock, so two
processes never load it twice and no reader ever sees a half-written one.

The store is opt-in, because on disk pyoxigraph answers whole-graph scans and
the endpoint's direct lookups more slowly than in memory (BENCHMARKS.md, "The
on-disk store"): ``KG_STORE_CACHE=auto`` keeps the stores in ``.kg-cache/`` next
to the export folder (the repository's is git-ignored), ``KG_STORE_CACHE=DIR``
in DIR. Unset, empty or ``off``, the graph is parsed into memory, as it is when
the cache folder cannot be written.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from pathlib import Path

from kg.errors import KGError

CACHE_ENV = "KG_STORE_CACHE"
CACHE_FOLDER = ".kg-cache"
KEEP = 3  # stores kept in a cache folder: the newest ones, by last use
_CHUNK = 1 << 20


def cache_root(nquads: Path) -> Path | None:
    """The folder that holds the stores for ``nquads`` (export/kg.nq), or None for in-memory."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.lower() in ("", "off"):
        return None
    if chosen.lower() == "auto":
        return Path(nquads).resolve().parent.parent / CACHE_FOLDER
    return Path(chosen)


def content_key(nquads: Path) -> str:
    """The SHA-256 of the file's bytes: the name of its store."""
    digest = hashlib.sha256()
    with open(nquads, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def open_local(nquads: Path):
    """(store, folder): a read-only pyoxigraph Store of ``nquads`` and its on-disk folder,
    loaded into the cache first if it is not there yet; folder is None when the store is in memory."""
    nquads = Path(nquads)
    root = cache_root(nquads)
    if root is not None:
        try:
            folder = ensure_store(nquads, root)
        except OSError:  # no cache folder to write to (a read-only checkout): read the file into memory
            folder = None
        if folder is not None:
            import pyoxigraph

            try:
                return pyoxigraph.Store.read_only(str(folder)), folder
            except OSError:
                pass
    return _in_memory(nquads), None


def ensure_store(nquads: Path, root: Path) -> Path:
    """The folder of the on-disk store of ``nquads`` under ``root``, loading it if it is missing."""
    folder = root / content_key(nquads)
    if folder.is_dir():
        _touch(folder)
        return folder
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / ".lock"):
        if folder.is_dir():  # another process loaded it while this one waited for the lock
            return folder
        loading = root / f".loading-{folder.name}-{os.getpid()}"
        shutil.rmtree(loading, ignore_errors=True)
        try:
            _load(nquads, loading)
            os.rename(loading, folder)
        finally:
            shutil.rmtree(loading, ignore_errors=True)
        _prune(root, keep=folder)
    return folder


def load_nquads(source, name: str, store=None):
    """``store`` (a new in-memory one by default) with the N-Quads of ``source``, a
    file path, an open file or bytes, bulk-loaded; bad input is a KGError naming ``name``."""
    import pyoxigraph

    store = pyoxigraph.Store() if store is None else store
    try:
        if isinstance(source, Path):
            store.bulk_load(path=str(source), format=pyoxigraph.RdfFormat.N_QUADS)
        else:
            store.bulk_load(source, pyoxigraph.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        raise KGError(f"{name} is not valid N-Quads ({exc}); rebuild it with 'kg build'") from None
    return store


def _load(nquads: Path, folder: Path) -> None:
    import pyoxigraph

    store = pyoxigraph.Store(str(folder))
    try:
        load_nquads(nquads, str(nquads), store).optimize()
    finally:
        del store  # closes the database before its folder is renamed


def _in_memory(nquads: Path):
    return load_nquads(nquads, str(nquads))


def _touch(folder: Path) -> None:
    with contextlib.suppress(OSError):  # the last use only orders pruning; a read-only cache still serves
        os.utime(folder)


def _prune(root: Path, keep: Path) -> None:
    """Remove all but the KEEP most recently used stores (the one just loaded always stays)."""
    stores = sorted((p for p in root.iterdir() if p.is_dir() and len(p.name) == 64 and p != keep),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stores[KEEP - 1:]:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _locked(path: Path):
    import fcntl

    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


__all__ = ["CACHE_ENV", "cache_root", "content_key", "ensure_store", "open_local"]
