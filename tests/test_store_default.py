"""The on-disk store is the default, found by kg.nq's stat key without reading the file, and never stale."""
from __future__ import annotations

import hashlib
import os
import shutil

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from kg.graph import local_store
from kg.graph.local_store import CACHE_ENV, KEYS, NAMES, ensure_store, names_matching, open_local
from kg.report.profile import entities, find_actor

ASK = "ASK { entity:deepseek-v3 kg:trainedOn entity:nvidia-h800 }"
TRIPLE = b"entity/deepseek-v3> <https://w3id.org/ai-race-kg/ontology#trainedOn> <https://w3id.org/ai-race-kg/entity/nvidia-h800>"


@pytest.fixture
def export(built, tmp_path, monkeypatch):
    """A private copy of the built export, read with the default settings."""
    monkeypatch.delenv(CACHE_ENV, raising=False)
    folder = tmp_path / "export"
    shutil.copytree(built.out, folder)
    return folder


@pytest.fixture
def settled(monkeypatch):
    """Files count as settled at once, so that a test need not wait for kg.nq to age."""
    monkeypatch.setattr(local_store, "SETTLED", 0.0)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stat_key(path) -> str:
    st = os.stat(path)
    return f"{st.st_dev}-{st.st_ino}-{st.st_size}-{st.st_mtime_ns}-{st.st_ctime_ns}"


def test_reading_commands_use_the_store_by_default_and_the_second_opens_the_cached_one(export, settled):
    cache = export.parent / ".kg-cache"
    first = run("query", ASK, "--export", export)
    assert (first.exit_code, first.output) == (0, "true\n")
    store = cache / sha(export / "kg.nq")
    assert sorted(p.name for p in cache.iterdir()) == [".keys", ".lock", store.name]
    assert (cache / KEYS / stat_key(export / "kg.nq")).read_text().split()[0] == store.name
    files = {p: p.stat().st_mtime_ns for p in store.rglob("*")}
    os.utime(store, ns=(0, 0))

    for args in (["query", ASK], ["show", "deepseek-v3", "--format", "json"], ["path", "deepseek", "nvidia"],
                 ["rank", "--top", "1"]):
        again = run(*args, "--export", export)
        assert again.exit_code == 0, again.output
    # the same store, opened and not loaded again, and nothing else in the cache
    assert sorted(p.name for p in cache.iterdir()) == [".keys", ".lock", store.name]
    assert {p: p.stat().st_mtime_ns for p in store.rglob("*")} == files
    assert store.stat().st_mtime_ns > 0  # marked as used


def test_the_recorded_stat_key_finds_the_store_without_hashing_kg_nq(export, settled, tmp_path):
    nquads = export / "kg.nq"
    assert run("query", ASK, "--export", export).output == "true\n"
    cache = export.parent / ".kg-cache"
    # a store of other bytes, in the same cache folder, to which the record is pointed
    other = tmp_path / "other.nq"
    other.write_bytes(nquads.read_bytes().replace(TRIPLE, TRIPLE.replace(b"trainedOn", b"trainedXn")))
    other_store = ensure_store(other, cache)
    record = cache / KEYS / stat_key(nquads)
    digest, sample = record.read_text().split()
    record.write_text(f"{other_store.name} {sample}\n")
    # followed: the answer comes from the store the record names, so kg.nq was not hashed
    followed = run("query", ASK, "--export", export)
    assert (followed.exit_code, followed.output) == (1, "false\n")
    # a record whose sample of kg.nq's first and last bytes does not fit is not followed
    record.write_text(f"{other_store.name} {'0' * 32}\n")
    checked = run("query", ASK, "--export", export)
    assert (checked.exit_code, checked.output) == (0, "true\n")
    assert record.read_text().split()[0] == digest  # recorded again, from the hash


def test_kg_nq_rewritten_in_place_with_its_size_and_mtime_never_opens_the_stale_store(export, settled):
    nquads = export / "kg.nq"
    assert run("query", ASK, "--export", export).output == "true\n"
    before = os.stat(nquads)
    data = nquads.read_bytes()
    at = data.index(TRIPLE)
    # the change lies outside the sampled first and last 64 KiB: only the stat key can reveal it
    assert 1 << 16 < at < len(data) - (1 << 16) - len(TRIPLE)
    with open(nquads, "r+b") as handle:
        handle.seek(at + TRIPLE.index(b"trainedOn"))
        handle.write(b"trainedXn")
    os.utime(nquads, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime set back
    after = os.stat(nquads)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    result = run("query", ASK, "--export", export)
    assert (result.exit_code, result.output) == (1, "false\n")
    assert (export.parent / ".kg-cache" / sha(nquads)).is_dir()


def test_a_kg_nq_changed_moments_ago_is_hashed_but_its_stat_key_not_recorded(export):
    # within a timestamp tick of its last change, another change could keep the same stat key
    nquads = export / "kg.nq"
    nquads.write_bytes(nquads.read_bytes())
    result = run("query", ASK, "--export", export)
    assert (result.exit_code, result.output) == (0, "true\n")
    cache = export.parent / ".kg-cache"
    assert sha(nquads) in {p.name for p in cache.iterdir()}
    assert not (cache / KEYS).exists()


def test_a_cache_folder_that_cannot_be_written_leaves_the_graph_in_memory(export):
    (export.parent / ".kg-cache").write_text("not a folder\n")
    result = run("query", ASK, "--export", export)
    assert (result.exit_code, result.output) == (0, "true\n")
    assert (export.parent / ".kg-cache").read_text() == "not a folder\n"
    store, folder = open_local(export / "kg.nq")
    assert folder is None
    store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")  # a store of its own, in memory


NAMES_ASKED = ["deepseek-v3", "DEEPSEEK-V3", "DeepSeek", "deepseek", "  Nadella ", "Satya", "satya nadella",
               "Liang", "nadela", "", "   ", "NVIDIA", "H800", "nobody at all"]


@pytest.mark.parametrize("name", NAMES_ASKED)
def test_names_are_read_on_the_store_exactly_as_in_memory(export, name):
    store = run("show", name, "--export", export, "--format", "json")
    memory = CliRunner().invoke(cli, ["show", name, "--export", str(export), "--format", "json"],
                                env={CACHE_ENV: "off"})
    assert (store.exit_code, store.output) == (memory.exit_code, memory.output)
    bound = run("query", "mentions", "--bind", f"actor={name}", "--export", export, "--format", "csv")
    bound_memory = CliRunner().invoke(cli, ["query", "mentions", "--bind", f"actor={name}", "--export", str(export),
                                            "--format", "csv"], env={CACHE_ENV: "off"})
    assert (bound.exit_code, bound.output) == (bound_memory.exit_code, bound_memory.output)


def test_the_name_index_holds_every_name_case_folded_and_settles_names_by_lookup(export):
    store, folder = open_local(export / "kg.nq")
    assert (folder / NAMES).is_file()
    deepseek = "https://w3id.org/ai-race-kg/entity/deepseek"
    assert deepseek in names_matching(store, "deepseek")
    assert names_matching(store, "DeepSeek") == []  # the index is looked up case-folded
    known = entities(store)
    for name in ("DeepSeek", "deepseek-v3", "Satya Nadella"):
        assert [e.iri for e in known.values() if name.casefold() in
                {n.casefold() for n in (e.id, e.label, *e.aliases)}] == \
               [iri for iri in names_matching(store, name.casefold()) if iri in known]
    assert find_actor(store, "DEEPSEEK").iri == deepseek


def test_a_name_that_differs_only_in_case_from_another_actors_is_still_ambiguous(export):
    # an exact lookup of the label "Satya Nadella" alone would find one actor; resolve sees both
    nquads = export / "kg.nq"
    alias = '<https://w3id.org/ai-race-kg/entity/nvidia> <http://www.w3.org/2004/02/skos/core#altLabel> "SATYA NADELLA"@en .\n'
    nquads.write_text(nquads.read_text() + alias)
    result = run("show", "Satya Nadella", "--export", export)
    memory = CliRunner().invoke(cli, ["show", "Satya Nadella", "--export", str(export)], env={CACHE_ENV: "off"})
    assert (result.exit_code, result.output) == (memory.exit_code, memory.output)
    assert (result.exit_code, result.output) == (1, "Error: 'Satya Nadella' is ambiguous: it names nvidia (Nvidia, Company), "
                                                    "satya-nadella (Satya Nadella, Person); give one of these ids\n")


def test_kg_serve_reads_the_store_by_default_in_every_process(export):
    import subprocess
    import sys

    import httpx

    from .serve_support import free_port, wait_until_up
    from .test_local_store import processes_reading

    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != CACHE_ENV}
    process = subprocess.Popen([sys.executable, "-c", "from kg.cli.main import main; main()", "serve", "--export",
                                str(export), "--port", str(port), "--no-access-log", "--processes", "2", "--workers", "2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url + "/health", process)
        full = ("ASK { <https://w3id.org/ai-race-kg/entity/deepseek-v3> <https://w3id.org/ai-race-kg/ontology#trainedOn> "
                "<https://w3id.org/ai-race-kg/entity/nvidia-h800> }")
        answer = httpx.get(url + "/sparql", params={"query": full}, headers={"Accept": "application/sparql-results+json"})
        assert (answer.status_code, answer.json()["boolean"]) == (200, True)
        store = export.parent / ".kg-cache" / sha(export / "kg.nq")
        family, reading = processes_reading(process.pid, store, 4)
        assert (len(family), reading) == (4, family)
    finally:
        process.terminate()
        process.wait(timeout=30)
