"""What ``kg push --replace`` last put in a store, graph by graph.

The manifest is a small JSON file: the store's URL, how the graphs were
mapped (``--graph``, ``--default-graph``), and for each target graph the
SHA-256 of the N-Triples lines sent, in kg.nq's order. ``--incremental``
sends again only the graphs whose hash differs from it. A graph is recorded
once it is in place, so a push stopped half way leaves a manifest that is
still true. A push without ``--replace`` only adds to the store, so it
deletes the manifest, and the next ``--incremental`` push sends everything.

It is kept in ``.kg-cache/push-HASH.json`` next to the export folder, one per
store and mapping, unless ``--manifest FILE`` names another file. It knows
only what kg push sent: a change made to the store by other means is not
seen, and a plain ``--replace`` sends everything again.

``--incremental`` also keeps, next to the manifest (``push-HASH.nq``), a copy
of the kg.nq it last pushed in full, and the manifest records the copy's
SHA-256. The next ``--incremental`` push sends only the quads that differ
from it (kg.push_diff). The copy is replaced, then the manifest, each written
to a temporary file and renamed, only once a push has succeeded; a manifest
written any other way names no copy, so a copy that does not match is never
used.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from kg.errors import KGError

FOLDER = ".kg-cache"


class Manifest:
    def __init__(self, path: Path, key: dict, chosen: bool):
        self.path, self.key, self.chosen = path, key, chosen

    @classmethod
    def for_push(cls, export: Path, endpoint: str, graph: str | None, default_graph: str | None,
                 path: Path | None = None) -> Manifest:
        from kg.graph.store import nquads_path

        key = {"endpoint": endpoint, "graph": graph, "default_graph": default_graph}
        if path is not None:
            return cls(Path(path), key, True)
        name = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
        return cls(nquads_path(export).resolve().parent.parent / FOLDER / f"push-{name}.json", key, False)

    def load(self) -> dict[str, str]:
        """{graph: sha256} of the last push to this store with this mapping; {} if none is recorded."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            if self.chosen:
                raise KGError(f"{self.path}: cannot read the push manifest ({exc}); delete it to push everything") from None
            return {}
        if not isinstance(data, dict) or data.get("key") != self.key or not isinstance(data.get("graphs"), dict):
            return {}  # another store or mapping: nothing is known about this one
        return {str(k): str(v) for k, v in data["graphs"].items()}

    def set(self, graph: str, sha256: str) -> None:
        self.keep({**self.load(), graph: sha256})

    @property
    def copy_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".nq")

    def saved(self) -> Path | None:
        """The copy of the kg.nq last pushed to this store, if the manifest names it and it is intact."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("key") != self.key or not data.get("copy"):
                return None
            return self.copy_path if _sha256(self.copy_path) == data["copy"] else None
        except (OSError, ValueError):
            return None

    def save_copy(self, nquads: Path) -> str:
        """Copy ``nquads`` next to the manifest (write, then rename); its SHA-256."""
        tmp = self.copy_path.with_name(self.copy_path.name + ".tmp")
        digest = hashlib.sha256()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(nquads, "rb") as source, open(tmp, "wb") as target:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                    target.write(chunk)
            os.replace(tmp, self.copy_path)
        except OSError as exc:
            raise KGError(f"{self.copy_path}: cannot keep the copy of the pushed graph: {exc.strerror}") from None
        return digest.hexdigest()

    def keep(self, graphs: dict[str, str], copy: str | None = None) -> None:
        record = {"key": self.key, "graphs": dict(sorted(graphs.items())), **({"copy": copy} if copy else {})}
        text = json.dumps(record, indent=1) + "\n"
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            if self.chosen:
                raise KGError(f"{self.path}: cannot write the push manifest: {exc.strerror}") from None
            self.forget()

    def forget(self) -> None:
        for path in (self.path, self.copy_path):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise KGError(f"{path}: cannot delete the push manifest, which no longer describes the store: "
                              f"{exc.strerror}") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
