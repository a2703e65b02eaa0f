"""The on-disk store: keyed to kg.nq's bytes, loaded once, opened read-only, kept out of export/."""
from __future__ import annotations

import hashlib
import shutil

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from kg.graph.local_store import CACHE_ENV, KEEP, ensure_store, open_local
from kg.graph.store import open_store

ASK = "ASK { entity:deepseek-v3 kg:trainedOn entity:nvidia-h800 }"


@pytest.fixture
def export(built, tmp_path):
    """A private copy of the built export, with its cache folder beside it."""
    folder = tmp_path / "export"
    shutil.copytree(built.out, folder)
    return folder


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env or {CACHE_ENV: "auto"})


def test_query_loads_the_store_beside_the_export_named_by_the_sha256_of_kg_nq(export):
    result = run("query", ASK, "--export", str(export))
    assert (result.exit_code, result.output) == (0, "true\n")
    cache = export.parent / ".kg-cache"
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith(".")) == [sha(export / "kg.nq")]
    # nothing of the store in export/, beside the build's own lock files
    assert sorted(p.name for p in export.iterdir() if not p.name.startswith(".kg-")) == ["graph.html", "kg.jsonld", "kg.nq", "kg.ttl"]
    again = run("query", ASK, "--export", str(export))
    assert (again.exit_code, again.output) == (0, "true\n")


def test_a_changed_kg_nq_gets_a_store_of_its_own(export):
    assert run("query", ASK, "--export", str(export)).output == "true\n"
    nquads = export / "kg.nq"
    kept = [line for line in nquads.read_text().splitlines(keepends=True)
            if not ("entity/deepseek-v3>" in line and "trainedOn" in line)]
    nquads.write_text("".join(kept))
    result = run("query", ASK, "--export", str(export))
    assert (result.exit_code, result.output) == (1, "false\n")
    cache = export.parent / ".kg-cache"
    assert sha(nquads) in {p.name for p in cache.iterdir()}


def test_the_store_is_opened_read_only(export, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, "auto")
    store = open_store(export)
    with pytest.raises(RuntimeError, match="read-write"):
        store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_kg_store_cache_moves_the_stores_and_off_keeps_the_graph_in_memory(export, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    result = run("query", ASK, "--export", str(export), env={CACHE_ENV: str(elsewhere)})
    assert (result.exit_code, result.output) == (0, "true\n")
    assert sha(export / "kg.nq") in {p.name for p in elsewhere.iterdir()}
    assert not (export.parent / ".kg-cache").exists()

    off = run("query", ASK, "--export", str(export), env={CACHE_ENV: "off"})
    assert (off.exit_code, off.output) == (0, "true\n")
    assert not (export.parent / ".kg-cache").exists()


def test_off_opens_a_writable_in_memory_store(export, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, "off")
    store, folder = open_local(export / "kg.nq")
    assert folder is None
    store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")  # a store of its own, in memory


def test_a_loaded_store_is_not_loaded_again(export, tmp_path):
    root = tmp_path / "stores"
    folder = ensure_store(export / "kg.nq", root)
    files = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    assert ensure_store(export / "kg.nq", root) == folder
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == files
    assert [p.name for p in root.iterdir() if p.name.startswith(".loading")] == []


def test_only_the_most_recently_used_stores_are_kept(export, tmp_path):
    root = tmp_path / "stores"
    nquads = export / "kg.nq"
    lines = nquads.read_text().splitlines(keepends=True)
    names = []
    for n in range(KEEP + 1):
        nquads.write_text("".join(lines[n:]))
        names.append(ensure_store(nquads, root).name)
    assert sorted(p.name for p in root.iterdir() if len(p.name) == 64) == sorted(names[1:])


def test_invalid_nquads_is_a_clean_error_and_leaves_no_store(export):
    (export / "kg.nq").write_text("<urn:a> <urn:b> .\n")
    result = run("query", ASK, "--export", str(export))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {export / 'kg.nq'} is not valid N-Quads (")
    assert result.output.rstrip().endswith("rebuild it with 'kg build'")
    cache = export.parent / ".kg-cache"
    assert [p.name for p in cache.iterdir() if p.name != ".lock"] == []


def test_every_process_of_kg_serve_reads_the_one_store_on_disk(export, tmp_path):
    import os
    import subprocess
    import sys

    import httpx

    from .serve_support import free_port, wait_until_up

    cache = tmp_path / "stores"
    port = free_port()
    command = [sys.executable, "-c", "from kg.cli.main import main; main()", "serve", "--export", str(export),
               "--port", str(port), "--no-access-log", "--processes", "2", "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, CACHE_ENV: str(cache)})
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url + "/health", process)
        assert httpx.get(url + "/health").json()["direct_lookups"]["on"] is True
        store = cache / sha(export / "kg.nq")
        family, reading = processes_reading(process.pid, store, 4)
        assert (len(family), reading) == (4, family)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_two_commands_at_once_load_one_store(export, tmp_path):
    import os
    import subprocess
    import sys

    cache = tmp_path / "stores"
    command = [sys.executable, "-c", "from kg.cli.main import main; main()", "query", ASK, "--export", str(export)]
    env = {**os.environ, CACHE_ENV: str(cache)}
    both = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)]
    answers = [(p.communicate(timeout=120), p.returncode) for p in both]
    assert answers == [((b"true\n", b""), 0)] * 2
    assert sorted(p.name for p in cache.iterdir()) == [".lock", sha(export / "kg.nq")]


def processes_reading(pid: int, store, count: int) -> tuple[set[int], set[int]]:
    """(``pid`` and its descendants, those of them with a file of ``store`` open), once
    there are ``count`` processes all reading it, or as they are after 60 s.
    /health answers once one HTTP process is up; the other may still be opening the store."""
    import contextlib
    import os
    import time
    from pathlib import Path

    deadline = time.monotonic() + 60
    while True:
        family, reading = _family(pid), set()
        for member in family:
            with contextlib.suppress(OSError):
                if any(os.readlink(fd).startswith(f"{store}/") for fd in Path(f"/proc/{member}/fd").iterdir()):
                    reading.add(member)
        if (len(family), reading) == (count, family) or time.monotonic() > deadline:
            return family, reading
        time.sleep(0.1)


def _family(pid: int) -> set[int]:
    """``pid`` and all its descendants, from /proc."""
    import contextlib
    from pathlib import Path

    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    family = {pid}
    while grown := {child for child, parent in parents.items() if parent in family} - family:
        family |= grown
    return family


def test_without_kg_store_cache_the_store_is_loaded_beside_the_export(export):
    result = run("query", ASK, "--export", str(export), env={CACHE_ENV: None})
    assert (result.exit_code, result.output) == (0, "true\n")
    assert sha(export / "kg.nq") in {p.name for p in (export.parent / ".kg-cache").iterdir()}
