"""Hostile and unlucky use of the CLI: crafted queries, killed and concurrent
builds, quotes that only look alike, and revisions that look like options."""
from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kg.cli.main import cli

from .conftest import ROOT


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


# Quotes ------------------------------------------------------------------

def _one_quote(tmp_path, article: str, quote: str):
    """Build a catalog of one source holding ``article`` and one claim quoting ``quote``."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    raw = article.encode("utf-8")
    (corpus / "a.txt").write_bytes(raw)
    data = tmp_path / "data.yaml"
    data.write_text(
        "sources:\n"
        "  - id: a001\n"
        "    file: a.txt\n"
        f"    sha256: {hashlib.sha256(raw).hexdigest()}\n"
        "    kind: news\n"
        "entities:\n"
        "  - id: m1\n"
        "    type: Model\n"
        "    name: M1\n"
        "claims:\n"
        "  - subject: m1\n"
        "    property: said\n"
        "    value: something\n"
        "    evidence:\n"
        "      - source: a001\n"
        f"        quote: \"{quote}\"\n", encoding="utf-8")
    return run("build", "--data", data, "--corpus", corpus, "--out", tmp_path / "out")


def test_a_full_stop_does_not_match_an_ellipsis(tmp_path):
    result = _one_quote(tmp_path, "The model is fast. Ellipsis here\u2026 And more text follows.\n", "Ellipsis here.")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'data.yaml'}:16:16: quote not found in a.txt; the article has an ellipsis where the quote has a "
        "full stop ('.'), and a full stop never matches part of an ellipsis ('…' or '...'): end the quote before it, "
        "or copy the ellipsis",
        "1 problem in the data",
    ]
    assert not (tmp_path / "out" / "kg.nq").exists()


@pytest.mark.parametrize("article", ["Ellipsis here\u2026 And more.\n", "Ellipsis here... And more.\n"])
@pytest.mark.parametrize("quote", ["Ellipsis here\u2026", "Ellipsis here...", "Ellipsis here"])
def test_an_ellipsis_matches_either_spelling_whole(tmp_path, article, quote):
    result = _one_quote(tmp_path, article, quote)
    assert result.exit_code == 0, result.output
    nquads = (tmp_path / "out" / "kg.nq").read_text(encoding="utf-8")
    exact = "Ellipsis here" if quote == "Ellipsis here" else article.split(" And")[0]
    assert f'<http://www.w3.org/ns/oa#exact> "{exact}"' in nquads


def test_a_quote_in_another_normalisation_form_names_the_cause(tmp_path):
    nfd = "Le caf\u0065\u0301 de Par\u0069s est ouvert.\n"
    result = _one_quote(tmp_path, nfd, "Le caf\u00e9 de Paris")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'data.yaml'}:16:16: quote not found in a.txt; the words are at line 1, column 1 but differ in "
        "Unicode normalisation (the quote is NFC, the article NFD): paste the article's text: 'Le cafe\u0301 de Paris'",
        "1 problem in the data",
    ]


# kg diff ------------------------------------------------------------------

def test_diff_refuses_a_revision_that_git_would_read_as_an_option(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # a git work tree with a committed export/
    target = tmp_path / "written"
    result = run("diff", "--", f"--output={target}")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: '--output={target}' is neither an export folder nor a git revision: a revision "
                             f"cannot start with '-' (to name a folder of that name, write ./--output={target})\n")
    assert list(tmp_path.iterdir()) == []


# Query shapes --------------------------------------------------------------
#
# pyoxigraph's parser recurses on brackets and on operator chains, and a stack
# overflow kills the process. The guard bounds both, alone and together; these
# tests build many shapes up to and past the limits, run them in a separate
# process, and require that it never dies by a signal.

def _nested(query: str) -> str:
    q = "true"
    for _ in range(60):
        q = "(" + "!" * 200 + q + ")"
    return query.replace("<q>", q)


@pytest.mark.parametrize("extra", [[], ["--endpoint", "http://127.0.0.1:9/sparql"]])
def test_query_nesting_operators_in_brackets_is_refused_not_a_crash(built, extra):
    """60 levels of brackets, each holding 200 '!': each limit alone is kept, the parser's depth is their product."""
    result = subprocess.run([sys.executable, "-m", "kg", "query", _nested("ASK { FILTER(<q>) }"),
                             "--export", str(built.out), *extra], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the query nests operators inside brackets too deeply: more than 1500 brackets and operators "
        "(!, -, +, &&, UNION, triples...) around one term, counting every open bracket and the operators before it "
        "in each; flatten it; pyoxigraph cannot parse it safely\n")


def test_the_server_guard_refuses_operators_nested_in_brackets():
    from kg.graph import guard

    with pytest.raises(guard.Refused) as info:
        guard.check(_nested("ASK { FILTER(<q>) }"), frozenset())
    assert (info.value.status, info.value.code) == (400, "too_complex")


# Each wrapper takes a piece of query text and a count, and returns text of the
# same kind: an expression (E), the inside of a group (P) or a property path (T).
_EXPRESSIONS = {
    "not": lambda e, n: "!" * n + "(" + e + ")",
    "minus": lambda e, n: "-(" * n + e + ")" * n,
    "plus": lambda e, n: "+(" * n + e + ")" * n,
    "brackets": lambda e, n: "(" * n + e + ")" * n,
    "or": lambda e, n: " || ".join(["false"] * n + [e]),
    "and": lambda e, n: " && ".join([e] + ["true"] * n),
    "sum": lambda e, n: " + ".join(["1"] * n + ["(" + e + ")"]),
    "compare": lambda e, n: "(" * n + e + " = true)" * n,
    "functions": lambda e, n: "BOUND(?x) || " + "STR(" * n + e + ")" * n + " != ''",
    "if": lambda e, n: "IF(" * n + e + ", true, false)" * n,
    "coalesce": lambda e, n: "COALESCE(" * n + e + ")" * n,
    "in": lambda e, n: "(" + e + ") IN (" + ", ".join(["true"] * n) + ")",
}
_PATHS = {
    "brackets": lambda t, n: "(" * n + t + ")" * n,
    "inverse": lambda t, n: "^(" * n + t + ")" * n,
    "sequence": lambda t, n: "/".join(["<p:p>"] * n + [t]),
    "alternative": lambda t, n: "|".join([t] + ["<p:q>"] * n),
    "repeat": lambda t, n: "(" * n + t + ")*" * n,
    "negated": lambda t, n: "(" * n + t + "|!(<p:p>|^<p:q>)" + ")" * n,
}
_PATTERNS = {
    "braces": lambda p, n: "{" * n + p + "}" * n,
    "union": lambda p, n: " UNION ".join(["{ }"] * n + ["{ " + p + " }"]),
    "optional": lambda p, n: "OPTIONAL { " * n + p + " }" * n,
    "minus": lambda p, n: "MINUS { " * n + p + " }" * n,
    "subquery": lambda p, n: "{ SELECT * WHERE { " * n + p + " } }" * n,
    "triples": lambda p, n: "?s <p:p> ?o . " * n + p,
    "objects": lambda p, n: "?s <p:p> " + ", ".join(["?o"] * n) + " . " + p,
    "predicates": lambda p, n: "?s " + "; ".join(["<p:p> ?o"] * n) + " . " + p,
    "blank nodes": lambda p, n: "?s <p:p> " + "[ <p:p> " * n + "?o" + " ]" * n + " . " + p,
    "collections": lambda p, n: "?s <p:p> " + "(" * n + "1" + ")" * n + " . " + p,
    "filters": lambda p, n: "FILTER(true) " * n + p,
    "binds": lambda p, n: " ".join(f"BIND({i} AS ?b{i})" for i in range(n)) + " " + p,
}


# One level of layers: a chain of operators, then a bracket around what is inside.
_LAYERS = [
    ("E", "!", "(", ")"), ("E", "false || ", "(", ")"), ("E", "true && ", "(", ")"), ("E", "1 + ", "(", ")"),
    ("E", "2 * ", "(", ")"), ("E", "1 - ", "-(", ")"), ("E", "!", "STR(", ")"), ("E", "!", "IF(", ", 1, 2)"),
    ("T", "", "^(", ")"), ("T", "", "(", ")?"),  # a chain in a path is a join: slow to plan, not deep
    ("P", "FILTER(true) ", "{ ", " }"), ("P", "{} UNION ", "{ ", " }"), ("P", "FILTER(true) ", "OPTIONAL { ", " }"),
]
_WIDE = {"union", "optional", "minus", "subquery", "triples", "objects", "predicates", "filters", "binds",
         "sequence", "alternative", "negated"}


def _query_shapes(count: int, seed: int):
    """``count`` queries stacking random wrappers, sized around the guard's limits."""
    import random

    # kg query's limits (kg.query.MAX_DEPTH, kg.graph.guard.MAX_CHAIN and MAX_NESTING), written out so
    # that the shapes stay the same whatever the limits become.
    MAX_DEPTH, MAX_CHAIN, MAX_NESTING = 256, 1000, 1500
    rng = random.Random(seed)
    sizes = [1, 2, 5, 20, 60, 150, 250, MAX_DEPTH, MAX_DEPTH + 5, 500, MAX_CHAIN - 2, MAX_CHAIN + 2,
             MAX_NESTING // 3, MAX_NESTING // 2]
    for _ in range(count):
        expression, path, pattern = "?o = 1", "<p:p>", "?s ?p ?o ."
        budget = rng.choice([MAX_NESTING * 2 // 3, MAX_NESTING - 10, MAX_NESTING, MAX_NESTING + 50, 3 * MAX_NESTING, 10 * MAX_NESTING])
        used = 0
        for _ in range(rng.randint(1, 6)):
            if rng.random() < 0.4:  # levels of brackets, each holding a chain: the two limits multiply
                levels = rng.choice([3, 10, 30, 60, 120, 250])
                chain = max(1, min(MAX_CHAIN, (budget - used) // levels - 1))
                kind, unit, open_, close = rng.choice(_LAYERS)
                used += levels * (chain + 1)
                text = {"E": expression, "T": path, "P": pattern}[kind]
                for _ in range(levels):
                    text = unit * chain + open_ + text + close
                if kind == "E":
                    expression = text
                elif kind == "T":
                    path = text
                else:
                    pattern = text
                continue
            n = min(rng.choice(sizes), max(1, budget - used))
            used += n
            kind, wrappers = rng.choice([("E", _EXPRESSIONS), ("E", _EXPRESSIONS), ("T", _PATHS), ("P", _PATTERNS)])
            name = rng.choice(sorted(wrappers))
            if name in _WIDE:  # joins: pyoxigraph takes seconds past a few dozen (a few in paths), not the point here
                n = min(n, rng.choice([1, 2, 3] if kind == "T" else [1, 2, 5, 12, 30]))
            if kind == "E":
                expression = wrappers[name](expression, n)
            elif kind == "T":
                path = wrappers[name](path, n)
            else:
                pattern = wrappers[name](pattern, n)
        form = rng.choice(["ASK { <p> }", "SELECT * WHERE { <p> }", "SELECT (<e> AS ?v) WHERE { <p> }",
                           "CONSTRUCT { ?s <p:p> ?o } WHERE { <p> }"])
        body = f"?s {path} ?o . FILTER({expression}) {pattern}"
        yield form.replace("<e>", expression).replace("<p>", body)


# Runs each query as `kg query` does (the guard, then pyoxigraph, every result
# read) in one process; prints each query's number before it runs, so that a
# crash names the query that caused it. Some shapes make pyoxigraph's planner
# slow (seconds, not a crash): faulthandler then ends the process with status 1,
# and the rest of the queries run in a new one.
_RUNNER = r"""
import faulthandler, json, sys
import pyoxigraph
from kg.errors import KGError
from kg.query import run_local
store = pyoxigraph.Store()
for i in range(3):
    store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(f"s:{i}"), pyoxigraph.NamedNode("p:p"), pyoxigraph.Literal(i)))
first = int(sys.argv[1])
for number, query in enumerate(json.load(sys.stdin)[first:], first):
    print("run", number, flush=True)
    faulthandler.dump_traceback_later(3, exit=True)  # runs without the GIL, which pyoxigraph may hold
    try:
        result = run_local(store, query)
        list(result) if not isinstance(result, pyoxigraph.QueryBoolean) else bool(result)
        print("answered", number, flush=True)
    except KGError as exc:
        print("refused", number, str(exc).splitlines()[0][:60], flush=True)
    faulthandler.cancel_dump_traceback_later()
"""


def _run_shapes(queries: list[str]) -> list[str]:
    """What became of each query: answered, refused or slow; fails if the process dies by a signal."""
    import json

    outcomes: list[str] = []
    while len(outcomes) < len(queries):
        result = subprocess.run([sys.executable, "-c", _RUNNER, str(len(outcomes))], input=json.dumps(queries),
                                capture_output=True, text=True, timeout=600, cwd=ROOT)
        lines = result.stdout.splitlines()
        outcomes += [line for line in lines if not line.startswith("run ")]
        if result.returncode == 1 and "Timeout" in result.stderr:
            outcomes.append(f"slow {lines[-1].split()[1]}")
        elif result.returncode != 0:
            last = int(lines[-1].split()[1])
            pytest.fail(f"the process died (status {result.returncode}) on query {last}: {queries[last][:300]!r}... "
                        f"{result.stderr[-1000:]}")
    return outcomes


def test_generated_query_shapes_never_crash_the_process():
    import os

    count = int(os.environ.get("KG_QUERY_SHAPES", "150"))
    queries = list(_query_shapes(count, seed=int(os.environ.get("KG_QUERY_SEED", "2"))))
    outcomes = _run_shapes(queries)
    # The shapes reach the limits from both sides: some run, some are refused.
    kinds = {line.split()[0] for line in outcomes}
    assert {"answered", "refused"} <= kinds <= {"answered", "refused", "slow"}, outcomes


# The forked renderer ------------------------------------------------------

# A build whose forked renderer (every build is parallel here) writes its pid,
# then renders for a minute; the test kills the build with SIGKILL meanwhile.
_SLOW_RENDER = r"""
import os, sys, time
import kg.build
from kg.export import rdf
kg.build.PARALLEL_QUADS = 0
def slow_jsonld(quads, base):
    with open(sys.argv[1] + ".tmp", "w") as handle:
        handle.write(str(os.getpid()))
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    time.sleep(60)
rdf.write_jsonld = slow_jsonld
kg.build.build(kg.build.Path(sys.argv[2]), sys.argv[3], kg.build.Path(sys.argv[4]))
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_forked_renderer_dies_with_a_killed_build(tmp_path, corpus_dir):
    import os
    import signal
    import time

    from .conftest import FIXTURES

    pid_file = tmp_path / "renderer.pid"
    build = subprocess.Popen([sys.executable, "-c", _SLOW_RENDER, str(pid_file), str(FIXTURES / "good.yaml"),
                              str(corpus_dir), str(tmp_path / "out")], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        renderer = int(pid_file.read_text())
        assert _alive(renderer)
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 30  # a wait for the kernel, not a measure: the old renderer slept 60 s
        while _alive(renderer) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(renderer)
    finally:
        build.kill()
        if pid_file.exists() and _alive(int(pid_file.read_text())):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
