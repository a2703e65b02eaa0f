"""Naming an actor: every command reads a name the way `kg show` does.

`kg show`, `kg path`, `kg viewer --around` and `kg query --bind` take an id, a
label or an alias, in any case, or a single word of one; a name that fits
several actors or none lists the candidates.
"""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from kg.curate.names import Entity, resolve
from kg.errors import KGError
from kg.bind import bind
from tests.conftest import DATA
from tests.serve_support import canary, live_kg_serve

LIANG = ("'Liang' is ambiguous: it names liang-wang (Liang Wang, Person), "
         "liang-wenfeng (Liang Wenfeng, Person); give one of these ids")
NADELA = "no actor is called 'nadela' (did you mean 'Nadella' or 'canada'?); 'kg query actors' lists them all"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def mentions(built, value, *extra):
    return run("query", "mentions", "--export", built.out, "--bind", f"actor={value}", "--format", "csv", *extra)


# kg query --bind


@pytest.mark.parametrize("value", ["nadella", "Nadella", "Satya", "satya nadella", "SATYA-NADELLA", "entity:satya-nadella",
                                   "<https://w3id.org/ai-race-kg/entity/satya-nadella>"])
def test_bind_reads_a_name_as_kg_show_does(built, value):
    by_id = mentions(built, "satya-nadella")
    assert by_id.exit_code == 0 and by_id.stdout.count("/entity/satya-nadella,https://w3id.org/ai-race-kg/source/a00") >= 2
    result = mentions(built, value)
    assert (result.exit_code, result.stdout, result.stderr) == (0, by_id.stdout, "")


def test_bind_an_ambiguous_name_lists_the_candidates(built):
    result = mentions(built, "Liang")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: --bind actor=Liang: {LIANG}\n")


def test_bind_an_unknown_name_suggests_one(built):
    result = mentions(built, "nadela")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: --bind actor=nadela: {NADELA}\n")


def test_bind_a_variable_the_query_does_not_use_is_an_error(built):
    result = run("query", "SELECT ?chip { ?m kg:trainedOn ?chip } # ?model", "--export", built.out, "--bind", "model=x")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", "Error: --bind model=x: the query does not use ?model; its variables are ?chip, ?m\n")
    canned = run("query", "trained-on", "--export", built.out, "--bind", "foo=bar")
    assert (canned.exit_code, canned.stdout) == (1, "")
    assert canned.stderr.startswith("Error: --bind foo=bar: the query does not use ?foo; its variables are ?")


def test_bind_keeps_sparql_terms_as_written(built):
    label = run("query", "SELECT ?e { ?e rdfs:label ?label }", "--export", built.out,
                "--bind", 'label="DeepSeek"@en', "--format", "tsv")
    assert (label.exit_code, label.stdout) == (0, "?e\n<https://w3id.org/ai-race-kg/entity/deepseek>\n")
    number = run("query", "SELECT ?n { VALUES ?n { 1 2 3 } }", "--export", built.out, "--bind", "n=2", "--format", "csv")
    assert (number.exit_code, number.stdout.splitlines()) == (0, ["n", "2"])


def test_bind_a_bad_term_is_reported_on_the_term_not_in_the_query(built):
    result = mentions(built, '"DeepSeek')
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith('Error: --bind actor="DeepSeek: "DeepSeek is not a SPARQL term (')
    assert result.stderr.count("\n") == 1  # no caret under the canned query's text


def test_bind_with_endpoint_looks_names_up_in_the_local_export(tmp_path):
    missing = tmp_path / "missing"
    with canary() as (endpoint, hits):
        result = run("query", "mentions", "--export", missing, "--endpoint", endpoint, "--bind", "actor=Nadella")
        assert (result.exit_code, result.stdout, hits) == (1, "", [])
        assert result.stderr == f"Error: --bind actor=Nadella: {missing} not found; run 'kg build' first (or pass --export DIR)\n"
        # a SPARQL term needs no export
        term = run("query", "mentions", "--export", missing, "--endpoint", endpoint, "--bind", "actor=entity:satya-nadella")
        assert (term.exit_code, len(hits)) == (0, 1)


def test_bind_with_endpoint_sends_the_resolved_actor(built):
    local = mentions(built, "satya-nadella")
    with live_kg_serve(built.out) as url:
        remote = mentions(built, "Nadella", "--endpoint", f"{url}/sparql")
    assert (remote.exit_code, remote.stdout, remote.stderr) == (0, local.stdout, "")


def test_bind_in_the_library_needs_the_actors_for_a_name():
    with pytest.raises(KGError, match=r"^--bind actor=deepseek: names are looked up in the built graph"):
        bind("SELECT ?actor {}", {"actor": "deepseek"})


# kg viewer --around, kg path, kg show


def viewer(built, corpus_dir, out, around):
    return run("viewer", "--data", DATA, "--corpus", corpus_dir, "--out", out, "--around", around)


@pytest.mark.parametrize("name", ["DeepSeek", "DEEPSEEK", "High-Flyer"])
def test_viewer_around_reads_a_name_as_kg_show_does(built, corpus_dir, tmp_path, name):
    by_id = viewer(built, corpus_dir, tmp_path / "id.html", "deepseek" if name != "High-Flyer" else "high-flyer")
    result = viewer(built, corpus_dir, tmp_path / "name.html", name)
    assert (by_id.exit_code, result.exit_code, result.stdout) == (0, 0, "")
    assert (tmp_path / "name.html").read_bytes() == (tmp_path / "id.html").read_bytes()


def test_viewer_around_a_word_and_an_ambiguous_name(built, corpus_dir, tmp_path):
    word = viewer(built, corpus_dir, tmp_path / "word.html", "Nadella")
    by_id = viewer(built, corpus_dir, tmp_path / "id.html", "satya-nadella")
    assert (word.exit_code, by_id.exit_code) == (0, 0)
    assert (tmp_path / "word.html").read_bytes() == (tmp_path / "id.html").read_bytes()
    result = viewer(built, corpus_dir, tmp_path / "x.html", "Liang")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: --around: {LIANG}\n")
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("command", [["show", "{}"], ["path", "{}", "deepseek"], ["query", "mentions", "--bind", "actor={}"]])
def test_every_command_that_takes_an_actor_lists_the_candidates_alike(built, command):
    result = run(*[part.format("Liang") for part in command], "--export", built.out)
    prefix = "--bind actor=Liang: " if command[0] == "query" else ""
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {prefix}{LIANG}\n")


def test_help_says_a_single_word_finds_an_actor():
    for command in (["show"], ["path"], ["viewer"], ["query"]):
        text = " ".join(run(*command, "--help").stdout.split())
        assert "a single word of one" in text, command


def test_resolve_reads_a_word_and_refuses_an_empty_name():
    known = {e.iri: e for e in (Entity("i:a", "a", "Alpha Lab", "Lab"), Entity("i:b", "b", "Beta Lab", "Lab"))}
    with pytest.raises(KGError, match=r"^'' is an empty name; give a name: "):
        resolve("", known)
    assert resolve("beta", known).id == "b"
