"""The export folder switches from one build to the next all at once.

Builds run as real `kg build` processes. KG_TEST_FAULT stops one at the
commit point, between its first and second rename: "kill" makes it SIGKILL
itself there, "pause" makes it say so on stderr and wait for a line on stdin.
Every wait below is on a line a process writes, never on a clock.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT

KG = str(Path(sys.executable).parent / "kg")
FILES = ["graph.html", "kg.jsonld", "kg.nq", "kg.ttl"]
BASES = {"old": "https://old.example/kg/", "new": "https://new.example/kg/", "other": "https://other.example/kg/"}
QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), 'https://new.example/')) }"


@pytest.fixture(scope="module")
def refs(tmp_path_factory, corpus_dir):
    """Each base's export, built once in this process."""
    from kg.build import build

    folders = {}
    for name, base in BASES.items():
        folders[name] = tmp_path_factory.mktemp(name)
        build(DATA, corpus_dir, folders[name], base)
    return folders


def start(out: Path, base: str, corpus: Path, fault: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "KG_TEST_FAULT"}
    if fault:
        env["KG_TEST_FAULT"] = fault
    return subprocess.Popen([KG, "build", "--data", str(DATA), "--corpus", str(corpus), "--out", str(out),
                             "--base", base], stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def kill_mid_switch(out: Path, corpus: Path) -> None:
    """A build of the "new" base into ``out`` that dies by SIGKILL after its first rename."""
    killed = start(out, BASES["new"], corpus, fault="kill")
    killed.communicate()
    assert killed.returncode == -signal.SIGKILL


def read_until(stream, line: str) -> list[str]:
    """The lines read up to and including ``line``, or to the end of ``stream``."""
    seen = []
    for got in stream:
        seen.append(got.rstrip("\n"))
        if seen[-1] == line:
            break
    return seen


def visible(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` but the lock files, by name."""
    return {p.name: p.read_bytes() if p.is_file() else b"<folder>" for p in sorted(folder.iterdir())
            if p.name not in (".kg-lock", ".kg-switch")}


def contents(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def query(export: Path) -> subprocess.CompletedProcess:
    return subprocess.run([KG, "query", "--export", str(export), QUERY], capture_output=True, text=True, check=False)


def old_export(refs, tmp_path) -> Path:
    out = tmp_path / "export"
    shutil.copytree(refs["old"], out)
    return out


def test_a_build_killed_between_renames_is_finished_by_the_next_reader(refs, tmp_path, corpus_dir):
    out = old_export(refs, tmp_path)
    kill_mid_switch(out, corpus_dir)
    # the state the kill left: the first file switched, the others not yet
    assert (out / "graph.html").read_bytes() == (refs["new"] / "graph.html").read_bytes()
    assert (out / "kg.nq").read_bytes() == (refs["old"] / "kg.nq").read_bytes()

    answer = query(out)

    assert (answer.returncode, answer.stdout, answer.stderr) == (0, query(refs["new"]).stdout, "")
    assert answer.stdout != query(refs["old"]).stdout
    assert contents(out) == contents(refs["new"])
    assert not (out / ".kg-journal").exists()


def test_the_next_build_removes_what_a_killed_build_left(refs, tmp_path, corpus_dir):
    out = old_export(refs, tmp_path)
    kill_mid_switch(out, corpus_dir)  # it leaves its staging folder and journal

    build = start(out, BASES["other"], corpus_dir)
    _, err = build.communicate()

    assert build.returncode == 0, err
    assert visible(out) == contents(refs["other"])


def test_a_second_build_waits_for_the_first(refs, tmp_path, corpus_dir):
    out = old_export(refs, tmp_path)
    first = start(out, BASES["new"], corpus_dir, fault="pause")
    assert read_until(first.stderr, "paused mid-switch")[-1] == "paused mid-switch"
    second = start(out, BASES["other"], corpus_dir)
    waiting = f"waiting for another build writing to {out} to finish"
    assert read_until(second.stderr, waiting)[-1] == waiting

    first.communicate("\n")
    second.communicate()

    assert (first.returncode, second.returncode) == (0, 0)
    assert visible(out) == contents(refs["other"])


def test_a_build_killed_while_it_waits_leaves_nothing(refs, tmp_path, corpus_dir):
    out = old_export(refs, tmp_path)
    first = start(out, BASES["new"], corpus_dir, fault="pause")
    assert read_until(first.stderr, "paused mid-switch")[-1] == "paused mid-switch"
    second = start(out, BASES["other"], corpus_dir)
    waiting = f"waiting for another build writing to {out} to finish"
    assert read_until(second.stderr, waiting)[-1] == waiting
    second.kill()
    second.communicate()

    first.communicate("\n")

    assert (first.returncode, second.returncode) == (0, -signal.SIGKILL)
    assert visible(out) == contents(refs["new"])


def test_a_reader_waits_while_the_files_are_switched(refs, tmp_path, corpus_dir):
    out = old_export(refs, tmp_path)
    build = start(out, BASES["new"], corpus_dir, fault="pause")
    assert read_until(build.stderr, "paused mid-switch")[-1] == "paused mid-switch"
    reader = subprocess.Popen([KG, "query", "--export", str(out), QUERY], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    waiting = f"waiting for a build to finish replacing the files in {out}"
    assert reader.stderr.readline() == waiting + "\n"

    build.communicate("\n")
    answer, _ = reader.communicate()

    assert (build.returncode, reader.returncode) == (0, 0)
    assert answer == query(refs["new"]).stdout


def test_git_ignores_the_lock_files_and_staging():
    paths = ["export/.kg-lock", "export/.kg-switch", "export/.kg-journal", "export/.kg-staging/.kg.nq.x.tmp"]
    checked = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=ROOT, capture_output=True,
                             text=True, check=False)
    assert checked.stdout.splitlines() == paths


def test_a_build_removes_the_hidden_files_earlier_versions_left_when_killed(refs, tmp_path, corpus_dir):
    out = old_export(refs, tmp_path)
    (out / ".kg.ttl.u81xq0.tmp").write_text("@prefix")
    (out / ".kg.jsonld.3nd8aa.tmp").write_text("{")

    build = start(out, BASES["new"], corpus_dir)
    _, err = build.communicate()

    assert build.returncode == 0, err
    assert visible(out) == contents(refs["new"])


def test_kg_serve_finishes_a_killed_switch_before_it_answers(refs, tmp_path, corpus_dir):
    from starlette.testclient import TestClient

    from kg.graph.store import open_store
    from kg.serve.app import create_app

    out = old_export(refs, tmp_path)
    kill_mid_switch(out, corpus_dir)

    with TestClient(create_app(out, workers=1)) as client:
        home = client.get("/")
        answer = client.get("/sparql", params={"query": QUERY}, headers={"Accept": "text/csv"})

    assert home.content == (refs["new"] / "graph.html").read_bytes()
    [[expected]] = [[row[0].value for row in open_store(refs["new"]).query(QUERY, use_default_graph_as_union=True)]]
    assert expected != "0" and answer.text == f"n\r\n{expected}\r\n"
    assert contents(out) == contents(refs["new"])
