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

Finding the store must not cost reading kg.nq either (hashing 148 MiB takes
0.17 s). So each hash is also recorded in the cache folder's ``.keys/`` under
the file's stat key: device, inode, size, mtime and ctime, in nanoseconds. A
later command that finds kg.nq's stat key there takes its hash from it, after
checking a digest of the file's first and last 64 KiB; any other kg.nq is
hashed again. A file changed in place cannot keep its stat key: a write sets
mtime and ctime to the time of the write, and while anybody can set mtime back
(``touch -d``), nobody but the system clock sets ctime. The one gap is the
timestamps' granularity (a clock tick, up to 2 s on some file systems): a file
rewritten within the same tick as its hashed version would look unchanged. So
a hash is recorded only for a file last changed more than ``SETTLED`` seconds
earlier, and the stat key is taken before hashing and checked again after it
(and after loading the store). What stays outside this guarantee: a system
clock set back past the file's ctime, and file systems without a real ctime.

Beside the quads, each store's folder holds an index of names (``NAMES``): every
literal id, label and alias, case-folded, with the IRIs it names, so that
finding an actor by name (kg.report.profile.find_actor) is a lookup instead of
a join over every actor, which RocksDB answers several times slower than memory.

The store is the default for the reading commands and for ``kg serve`` (the
commands that join the whole graph, kg path, rank and export, parse kg.nq
instead: kg.graph.store.open_store). The stores live in ``.kg-cache/`` next to
the export folder (the repository's is git-ignored), or in DIR with
``KG_STORE_CACHE=DIR``. The first command after a build loads it; ``kg build``
itself does not, so that a build takes no longer than writing the export.
``KG_STORE_CACHE=off`` parses the graph into memory, as does a cache folder
that cannot be written.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
from pathlib import Path

from kg.errors import KGError

CACHE_ENV = "KG_STORE_CACHE"
CACHE_FOLDER = ".kg-cache"
KEEP = 3  # stores kept in a cache folder: the newest ones, by last use
KEYS = ".keys"  # stat key of a kg.nq -> its SHA-256
NAMES = "kg-names.sqlite"  # in a store's folder: every id, label and alias, case-folded -> the IRIs it names
SETTLED = 3.0  # seconds since a file's last change before its stat key is trusted: above any timestamp tick
_CHUNK = 1 << 20
_SAMPLE = 1 << 16


def cache_root(nquads: Path) -> Path | None:
    """The folder that holds the stores for ``nquads`` (export/kg.nq), or None for in-memory."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.lower() == "off":
        return None
    if chosen.lower() in ("", "auto"):
        return Path(nquads).resolve().parent.parent / CACHE_FOLDER
    return Path(chosen)


def content_key(nquads: Path) -> str:
    """The SHA-256 of the file's bytes: the name of its store."""
    with open(nquads, "rb") as handle:
        return _sha256(handle)


def store_key(nquads: Path, root: Path) -> tuple[str, str]:
    """(SHA-256 of ``nquads``, its stat key): the hash read from ``root``'s record of the
    file's stat key when there is one, else computed and recorded once the file has settled."""
    with open(nquads, "rb") as handle:
        before = os.fstat(handle.fileno())
        stat = _stat_key(before)
        record = root / KEYS / stat
        sample = _sample(handle, before.st_size)
        with contextlib.suppress(OSError, ValueError):
            digest, recorded_sample = record.read_text().split()
            if recorded_sample == sample and len(digest) == 64:
                return digest, stat
        handle.seek(0)
        digest = _sha256(handle)
        after = os.fstat(handle.fileno())
    settled = time.time_ns() - max(after.st_mtime_ns, after.st_ctime_ns) > SETTLED * 1e9
    if _stat_key(after) == stat and settled:
        with contextlib.suppress(OSError):  # a cache that cannot be written still serves, hashing each time
            record.parent.mkdir(parents=True, exist_ok=True)
            partial = record.with_name(f".{stat}-{os.getpid()}")
            partial.write_text(f"{digest} {sample}\n")
            os.replace(partial, record)
    return digest, stat


def _stat_key(st: os.stat_result) -> str:
    return f"{st.st_dev}-{st.st_ino}-{st.st_size}-{st.st_mtime_ns}-{st.st_ctime_ns}"


def _sample(handle, size: int) -> str:
    """A digest of the first and last 64 KiB: a cheap check that a recorded stat key still fits."""
    digest = hashlib.sha256(handle.read(_SAMPLE))
    if size > _SAMPLE:
        handle.seek(max(_SAMPLE, size - _SAMPLE))
        digest.update(handle.read(_SAMPLE))
    return digest.hexdigest()[:32]


def _sha256(handle) -> str:
    digest = hashlib.sha256()
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
                store = pyoxigraph.Store.read_only(str(folder))
            except OSError:
                pass
            else:
                _OPENED[id(store)] = (store, folder)
                return store, folder
    return _in_memory(nquads), None


def ensure_store(nquads: Path, root: Path) -> Path:
    """The folder of the on-disk store of ``nquads`` under ``root``, loading it if it is missing."""
    digest, stat = store_key(nquads, root)
    folder = root / digest
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
            if _stat_key(os.stat(nquads)) != stat:  # changed while it was hashed or loaded: a store of other bytes
                raise OSError(f"{nquads} changed while it was loaded")
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


def names_matching(store, wanted: str) -> list[str] | None:
    """The IRIs that have ``wanted`` (case-folded) as their id, label or alias, from the name
    index of the on-disk store ``store`` was opened from; None for a store without one."""
    import sqlite3

    opened = _OPENED.get(id(store))
    if opened is None or opened[0] is not store:
        return None
    uri = (opened[1] / NAMES).as_uri() + "?mode=ro&immutable=1"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            return [iri for (iri,) in db.execute("SELECT iri FROM names WHERE name = ?", (wanted,))]
    except sqlite3.Error:  # a store loaded before the index existed
        return None


# The read-only stores opened here, with their folders, so that a reader can find a store's name
# index; each store is held, so that its id() is never reused for another while the entry stands.
_OPENED: dict[int, tuple[object, Path]] = {}


def _load(nquads: Path, folder: Path) -> None:
    import pyoxigraph

    store = pyoxigraph.Store(str(folder))
    try:
        load_nquads(nquads, str(nquads), store).optimize()
        _index_names(store, folder / NAMES)
    finally:
        del store  # closes the database before its folder is renamed


def _index_names(store, path: Path) -> None:
    """Write the store's name index: every literal id, label and alias, case-folded as
    kg.curate.names.resolve compares names, with the IRIs it names, so that finding an actor
    by name is a lookup and not a scan of every actor."""
    import sqlite3

    rows = store.query("""
        SELECT DISTINCT ?e ?n WHERE {
          { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?n }
          UNION { ?e <http://www.w3.org/2004/02/skos/core#altLabel> ?n }
          UNION { ?e <http://purl.org/dc/terms/identifier> ?n }
          FILTER(isIRI(?e) && isLiteral(?n))
        }""", use_default_graph_as_union=True)
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE names (name TEXT NOT NULL, iri TEXT NOT NULL, PRIMARY KEY (name, iri)) WITHOUT ROWID")
        db.executemany("INSERT OR IGNORE INTO names VALUES (?, ?)",
                       ((row[1].value.casefold(), row[0].value) for row in rows))
        db.commit()


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
    with contextlib.suppress(OSError):  # the records of the stat keys of removed stores go with them
        for record in (root / KEYS).iterdir():
            with contextlib.suppress(OSError, ValueError):
                if not (root / record.read_text().split()[0]).is_dir():
                    record.unlink()


@contextlib.contextmanager
def _locked(path: Path):
    import fcntl

    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


__all__ = ["CACHE_ENV", "KEYS", "SETTLED", "cache_root", "content_key", "ensure_store", "names_matching", "open_local",
           "store_key"]
