"""`kg query`, `kg show`, `kg conflicts`, `kg path`, `kg rank`, `kg export` and `kg diff` on real files."""
from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import subprocess

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from tests.conftest import DATA

def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_query_canned_table(built):
    result = run("query", "trained-on", "--export", built.out)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["model", "chip", "qualifiers", "rank", "source", "cell", "evidence"]
    assert set(lines[1]) == {"-", " "}
    # the columns' widths follow the longest model and chip names the dataset brings
    words = [" ".join(line.split()) for line in lines]
    assert "DeepSeek-V3 Nvidia H800 normal source:a001 efficient training on Nvidia H800 GPUs" in words
    assert ("DeepSeek-V3 Nvidia H800 normal source:epoch-notable-ai-models row 94, column 'Training hardware' "
            "NVIDIA H800 SXM5") in words


def test_query_standard_formats(built):
    as_json = json.loads(run("query", "trained-on", "--export", built.out, "-f", "json").stdout)
    assert as_json["head"]["vars"] == ["model", "chip", "qualifiers", "rank", "source", "cell", "evidence"]
    deepseek = [b for b in as_json["results"]["bindings"] if b["model"]["value"] == "DeepSeek-V3"]
    assert {b["source"]["value"].rsplit("/", 1)[1] for b in deepseek} == {"a000", "a001", "a002", "a004", "epoch-notable-ai-models"}
    assert deepseek[0]["source"] == {"type": "uri", "value": "https://w3id.org/ai-race-kg/source/a000"}
    as_csv = run("query", "trained-on", "--export", built.out, "-f", "csv").stdout_bytes.decode("utf-8")
    assert as_csv.startswith("model,chip,qualifiers,rank,source,cell,evidence\r\n")
    assert "\r\nDeepSeek-V3,Nvidia H800,,normal,https://w3id.org/ai-race-kg/source/a000,,DeepSeek " in as_csv
    parsed = list(csv.reader(io.StringIO(as_csv)))
    assert len(parsed) == len(as_json["results"]["bindings"]) + 1
    as_tsv = run("query", "trained-on", "--export", built.out, "-f", "tsv").stdout
    assert as_tsv.splitlines()[0] == "?model\t?chip\t?qualifiers\t?rank\t?source\t?cell\t?evidence"
    assert '\n"DeepSeek-V3"\t"Nvidia H800"\t""\t"normal"\t<https://w3id.org/ai-race-kg/source/a000>\t' in as_tsv


def test_query_inline_and_file(built, tmp_path):
    text = "SELECT ?chip WHERE { entity:deepseek-v3 kg:trainedOn ?chip }"
    inline = run("query", text, "--export", built.out, "-f", "csv")
    path = tmp_path / "chips.rq"
    path.write_text(text, encoding="utf-8")
    from_file = run("query", path, "--export", built.out, "-f", "csv")
    from_stdin = CliRunner().invoke(cli, ["query", "-", "--export", str(built.out), "-f", "csv"], input=text)
    assert inline.stdout_bytes == from_file.stdout_bytes == from_stdin.stdout_bytes == \
        b"chip\r\nhttps://w3id.org/ai-race-kg/entity/nvidia-h800\r\n"


def test_query_empty_result(built):
    result = run("query", "SELECT ?s WHERE { ?s kg:trainedOn entity:nobody }", "--export", built.out)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "s\n-\n", "")
    result = run("query", "SELECT ?s WHERE { ?s kg:trainedOn entity:nobody }", "--export", built.out, "-f", "csv")
    assert (result.exit_code, result.stdout_bytes) == (0, b"s\r\n")


def test_ask_sets_exit_status(built):
    yes = run("query", "ASK { entity:deepseek-v3 kg:trainedOn entity:nvidia-h800 }", "--export", built.out)
    no = run("query", "ASK { entity:deepseek-v3 kg:trainedOn entity:nvidia-h100 }", "--export", built.out)
    assert (yes.exit_code, yes.stdout) == (0, "true\n")
    assert (no.exit_code, no.stdout) == (1, "false\n")
    as_json = run("query", "ASK { entity:deepseek-v3 kg:trainedOn entity:nvidia-h800 }", "--export", built.out, "-f", "json")
    assert json.loads(as_json.stdout) == {"head": {}, "boolean": True}


def test_construct_and_describe(built):
    nt = run("query", "CONSTRUCT WHERE { entity:deepseek-v3 kg:trainedOn ?chip }", "--export", built.out, "-f", "nt")
    assert nt.stdout == ("<https://w3id.org/ai-race-kg/entity/deepseek-v3> <https://w3id.org/ai-race-kg/ontology#trainedOn> "
                         "<https://w3id.org/ai-race-kg/entity/nvidia-h800> .\n")
    ttl = run("query", "DESCRIBE entity:nvidia-h800", "--export", built.out)
    assert "entity:nvidia-h800 " in ttl.stdout and "@prefix entity: <https://w3id.org/ai-race-kg/entity/> ." in ttl.stdout
    jsonld = run("query", "DESCRIBE entity:nvidia-h800", "--export", built.out, "-f", "jsonld")
    assert json.loads(jsonld.stdout)
    wrong = run("query", "DESCRIBE entity:nvidia-h800", "--export", built.out, "-f", "csv")
    assert (wrong.exit_code, wrong.stderr) == (1, "Error: --format csv is for SELECT; a CONSTRUCT or DESCRIBE query gives ttl, nt or jsonld\n")


def test_query_syntax_error_shows_a_caret(built):
    result = run("query", "SELECT ?x WHERE {\n  ?x kg:trainedOn ?y\n  FILTR(?y)\n}", "--export", built.out)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: syntax error in the query at line 3, column 11: expected OPTIONAL\n"
        "    FILTR(?y)\n"
        "            ^\n"
    )


def test_query_unknown_prefix(built):
    result = run("query", "SELECT ?x WHERE { ?x foo:bar ?y }", "--export", built.out)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: syntax error in the query at line 1, column 22: unknown prefix 'foo:'; declared: claim, dct, disagreement, entity, "
        "evidence, graph, kg, oa, owl, prov, rdf, rdfs, schema, skos, source, value, wd, xsd\n"
        "  SELECT ?x WHERE { ?x foo:bar ?y }\n"
        "                       ^\n"
    )


def test_query_nested_too_deep_is_refused_not_a_crash(built):
    query = "SELECT * WHERE " + "{" * 3000 + "}" * 3000
    result = run("query", query, "--export", built.out)
    assert (result.exit_code, result.stderr) == (
        1, "Error: the query nests brackets more than 256 levels deep; pyoxigraph cannot parse it safely\n")


def test_query_long_operator_chain_is_refused_not_a_crash(built):
    """20,000 chained + once made pyoxigraph overflow its stack and the process die."""
    import sys

    query = "SELECT * WHERE { BIND(" + "1+" * 20000 + "1 AS ?x) }"
    result = subprocess.run([sys.executable, "-m", "kg", "query", query, "--export", str(built.out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: the query chains more than 1000 operators"), result.stderr


def test_query_list(built):
    result = run("query", "--list", "-f", "csv")
    parsed = list(csv.reader(io.StringIO(result.stdout)))
    assert parsed[0] == ["name", "description"]
    assert ["trained-on", "Which chips each model was trained on: one row per claim and piece of evidence."] in parsed
    assert len(parsed) >= 13


def test_query_without_export(tmp_path):
    result = run("query", "trained-on", "--export", tmp_path / "none")
    assert (result.exit_code, result.stderr) == (1, f"Error: {tmp_path / 'none'} not found; run 'kg build' first (or pass --export DIR)\n")


def test_query_endpoint_down():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/query"
    result = run("query", "trained-on", "--endpoint", url)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: cannot reach the SPARQL endpoint {url}: connection refused\n"


def test_query_endpoint_checks_syntax_before_sending():
    result = run("query", "SELECT ?x WHERE { ?x ?p }", "--endpoint", "http://127.0.0.1:9/query")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: syntax error in the query at line 1, column 26: expected one of LATERAL, SERVICE, [_]\n")


def test_show_profile(built):
    result = run("show", "DeepSeek-V3", "--export", built.out)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "DeepSeek-V3 (Model)  entity:deepseek-v3"
    assert lines[1] == "Also called: DeepSeek V3, DeepSeek v3, V3"
    at = lines.index("  trainedOn")
    assert lines[at + 1:at + 6] == [
        "    Nvidia H800",
        "      a000: “DeepSeek cleverly circumvented these limitations by utilizing less performant Nvidia H800 GPUs”",
        "      a001: “efficient training on Nvidia H800 GPUs”",
        "      a002: “utilizing reduced-capability chips from Nvidia known as H800s”",
        "      a004: “leveraging older Nvidia H800 chips”",
    ]


def test_show_resolves_aliases_case_insensitively(built):
    by_alias = run("show", "liang wenfeng", "--export", built.out, "-f", "json")
    assert json.loads(by_alias.stdout)["id"] == "liang-wenfeng"
    incoming = json.loads(by_alias.stdout)["claims"]
    assert [(c["direction"], c["property"], c["subject"]) for c in incoming] == [("in", "foundedBy", "DeepSeek")]


def test_show_unknown_entity(built):
    result = run("show", "Quokka", "--export", built.out)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: no actor is called 'Quokka'; 'kg query actors' lists them all\n"
    close = run("show", "deepsek", "--export", built.out)
    assert close.stderr == "Error: no actor is called 'deepsek' (did you mean 'deepseek', 'deepset' or 'deepseek-v3'?); 'kg query actors' lists them all\n"


def test_show_ambiguous_name(built):
    result = run("show", "Liang", "--export", built.out)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: 'Liang' is ambiguous: it names liang-wang (Liang Wang, Person), "
                             "liang-wenfeng (Liang Wenfeng, Person); give one of these ids\n")


def test_conflicts_agree_with_stats(built, corpus_dir):
    from kg.report.stats import stats

    result = run("conflicts", "--data", DATA, "--corpus", corpus_dir, "-f", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    figures = stats(built.catalog)
    assert {kind: sum(1 for d in report if d["kind"] == kind) for kind in figures["disagreements_by_kind"]} == figures["disagreements_by_kind"]
    values = [d for d in report if d["kind"] == "value"]
    assert len(values) == len(figures["conflicts"])
    for ours, theirs in zip(values, figures["conflicts"]):
        assert [(c["value"], c["qualifiers"], sorted({e["source"] for e in c["evidence"]})) for s in ours["sides"] for c in s["claims"]] == \
               [(v["value"], v["qualifiers"], v["sources"]) for v in theirs["values"]]
    assert all(e["quote"] for d in report for s in d["sides"] for c in s["claims"] for e in c["evidence"])


def test_conflicts_table(corpus_dir):
    result = run("conflicts", "--data", DATA, "--corpus", corpus_dir)
    assert result.exit_code == 0
    assert ("[value] DeepSeek-V3: development cost: 1 source against 1 against 2 against 2\n"
            "  the amounts are on different bases (in 2023 money, nominal): shown side by side, not compared\n"
            "  1. 5,390,000 USD in 2023 money  (1 source: epoch-notable-ai-models)\n"
            "     DeepSeek-V3 developmentCost 5,390,000 USD [priceYear=2023]\n"
            "       epoch-notable-ai-models row 94, column 'Training compute cost (2023 USD)': \u201c5390000.0\u201d\n"
            "         Training compute cost (2023 USD) notes: Table 1 $5.576M 2024 USD = $5.39M 2023 USD (https://www.usinflationcalculator.com/)\n"
            "  2. 5,600,000 USD  (1 source: a000)\n"
            "     DeepSeek-V3 developmentCost 5,600,000 USD\n"
            "       a000: “DeepSeek reportedly developed its model for a mere $5.6 million”\n") in result.stdout


def test_path_between_actors(built):
    result = run("path", "Liang Wenfeng", "H800", "--export", built.out)
    assert result.exit_code == 0
    assert result.stdout == (
        "1. liang-wenfeng — deepseek — deepseek-v3 — nvidia-h800  (3 steps)\n"
        "     deepseek -foundedBy-> liang-wenfeng  [a002] “Not much is known about DeepSeek or its founder, Liang WenFeng”\n"
        "     deepseek-v3 -developedBy-> deepseek  [a000 a001 a002 a003 a004 epoch-notable-ai-models] “DeepSeek’s AI model, DeepSeek v3, has demonstrated impressive capabilities”\n"
        "       epoch-notable-ai-models row 94, column 'Organization': “DeepSeek”\n"
        "     deepseek-v3 -trainedOn-> nvidia-h800  [a000 a001 a002 a004 epoch-notable-ai-models] “DeepSeek cleverly circumvented these limitations by utilizing less performant Nvidia H800 GPUs”\n"
        "       epoch-notable-ai-models row 94, column 'Training hardware': “NVIDIA H800 SXM5”\n"
        "\n"
        "2. liang-wenfeng — deepseek — nvidia — nvidia-h800  (3 steps)\n"
        "     deepseek -foundedBy-> liang-wenfeng  [a002] “Not much is known about DeepSeek or its founder, Liang WenFeng”\n"
        "     nvidia -stockFellAfter-> deepseek  [a004] “The DeepSeek news triggered a plunge in the respective stock prices of Nvidia and Constellation Energy”\n"
        "     nvidia-h800 -manufacturedBy-> nvidia  [a000 a001 a002 a004] “less performant Nvidia H800 GPUs”\n"
    )


def test_path_skips_deprecated_claims_unless_asked(built):
    plain = run("path", "deepseek", "Liang Wang", "--export", built.out)
    assert (plain.exit_code, plain.stdout) == (0, "No connection between deepseek and Liang Wang.\n")
    with_deprecated = run("path", "deepseek", "Liang Wang", "--export", built.out, "--deprecated", "-f", "csv")
    assert with_deprecated.stdout == ("path,step,from,property,to,rank,sources,quote,cells\n"
                                      "1,1,deepseek,foundedBy,liang-wang,deprecated,a000,its founder Liang Wang,\n")


def test_rank_filters_by_type(built):
    result = run("rank", "--export", built.out, "--type", "Lab", "--by", "degree", "-f", "json")
    ranked = json.loads(result.stdout)
    assert {r["type"] for r in ranked} == {"Lab"}
    assert ranked[0]["id"] == "openai"
    assert [r["degree"] for r in ranked] == sorted((r["degree"] for r in ranked), reverse=True)


def test_export_graphml_gexf_csv(built, tmp_path):
    import networkx as nx

    from kg.graph.store import open_store
    from kg.report.network import entity_graph

    graph = entity_graph(open_store(built.out))
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        out = tmp_path / f"g.{fmt}"
        assert run("export", fmt, "--export", built.out, "-o", out).exit_code == 0
        again = reader(out)
        assert (again.number_of_nodes(), again.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
        first = run("export", fmt, "--export", built.out).stdout
        assert first == run("export", fmt, "--export", built.out).stdout == out.read_text(encoding="utf-8")
    edges = list(csv.DictReader(io.StringIO(run("export", "csv", "--export", built.out).stdout)))
    assert len(edges) == graph.number_of_edges()
    assert {"Source": "deepseek-v3", "Target": "nvidia-h800", "Label": "trainedOn",
            "Sources": "a000 a001 a002 a004 epoch-notable-ai-models"}.items() <= next(
        e for e in edges if e["Label"] == "trainedOn" and e["Source"] == "deepseek-v3").items()
    nodes = list(csv.DictReader(io.StringIO(run("export", "csv", "--nodes", "--export", built.out).stdout)))
    assert len(nodes) == graph.number_of_nodes()


def test_diff_between_export_folders(built, corpus_dir, tmp_path):
    from kg.build import build

    changed = tmp_path / "data"
    shutil.copytree(DATA, changed)
    [path] = [p for p in changed.rglob("*.yaml") if "value: 5.6 million USD" in p.read_text(encoding="utf-8")]
    path.write_text(path.read_text(encoding="utf-8").replace("value: 5.6 million USD", "value: 5.5 million USD"), encoding="utf-8")
    build(changed, corpus_dir, tmp_path / "new")
    result = run("diff", built.out, tmp_path / "new")
    assert result.exit_code == 0
    assert result.stdout == (
        "~ value changed    deepseek-v3 developmentCost: 5,600,000 USD -> 5,500,000 USD\n"
        "      a000: “DeepSeek reportedly developed its model for a mere $5.6 million”\n"
        "1 value changed\n"
    )
    same = run("diff", built.out, built.out)
    assert (same.exit_code, same.stdout) == (0, "No claim changed.\n")


def test_diff_against_a_git_revision(built, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "export").mkdir(parents=True)
    kept = (built.out / "kg.nq").read_text(encoding="utf-8")
    (repo / "export" / "kg.nq").write_text(kept, encoding="utf-8")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "old"], check=True)
    # The new build loses every claim a002 supports alone, and a002's evidence elsewhere.
    dropped = "".join(line for line in kept.splitlines(keepends=True) if "/graph/a002>" not in line)
    (repo / "export" / "kg.nq").write_text(dropped, encoding="utf-8")
    monkeypatch.chdir(repo)
    result = run("diff", "HEAD", "-f", "json")
    assert result.exit_code == 0
    changes = json.loads(result.stdout)
    kinds = {c["change"] for c in changes}
    assert kinds == {"removed", "evidence removed"}
    assert all(e["source"] == "a002" for c in changes for e in c["evidence"])
    bad = run("diff", "no-such-rev")
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: 'no-such-rev' is neither an export folder nor a git revision with export/kg.nq")


def test_rank_type_includes_subtypes_and_refuses_unknown_types(built):
    runner = CliRunner()
    result = runner.invoke(cli, ["rank", "--export", str(built.out), "--type", "Organization", "--format", "json"])
    assert result.exit_code == 0, result.output
    types = {row["type"] for row in json.loads(result.stdout)}
    assert {"Lab", "Company"} <= types and "Person" not in types
    result = runner.invoke(cli, ["rank", "--export", str(built.out), "--type", "Labb"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: unknown type 'Labb' (did you mean 'Lab'?); known: Actor, Chip,")


def test_query_endpoint_with_service_contacts_only_the_endpoint():
    """The query is checked without being evaluated here: its SERVICE is for the endpoint to call."""
    from .serve_support import canary

    with canary() as (endpoint, endpoint_hits), canary() as (elsewhere, elsewhere_hits):
        for form in ("SELECT * WHERE", "ASK", "CONSTRUCT WHERE"):
            run("query", f"{form} {{ SERVICE <{elsewhere}> {{ ?s ?p ?o }} }}", "--endpoint", endpoint)
    assert elsewhere_hits == []
    assert len(endpoint_hits) == 3


@pytest.mark.parametrize("endpoint", ["file:///etc/passwd", "ftp://127.0.0.1/query", "127.0.0.1:7878/query"])
def test_query_endpoint_must_be_http(endpoint):
    result = run("query", "trained-on", "--endpoint", endpoint)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("Error: --endpoint must be an http(s) URL") and "Traceback" not in result.stderr


def test_query_non_utf8_file_and_stdin_are_clean_errors(built, tmp_path):
    bad = tmp_path / "latin1.rq"
    bad.write_bytes("SELECT * WHERE { ?s ?p 'caf\xe9' }".encode("latin-1"))
    result = run("query", str(bad), "--export", built.out)
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: query file {bad} is not UTF-8 text")
    piped = CliRunner().invoke(cli, ["query", "-", "--export", str(built.out)], input=bad.read_bytes())
    assert piped.exit_code == 1 and piped.stderr.startswith("Error: the query on standard input is not UTF-8 text")
    assert piped.exception is None or isinstance(piped.exception, SystemExit)


@pytest.mark.parametrize("timeout", ["-1", "0"])
def test_query_timeout_must_be_positive(timeout):
    result = CliRunner().invoke(cli, ["query", "trained-on", "--timeout", timeout, "--endpoint", "http://127.0.0.1:9/q"])
    assert result.exit_code == 2 and "--timeout" in result.stderr and "Traceback" not in result.output


def test_query_error_while_reading_solutions_is_clean(built):
    """pyoxigraph makes a SERVICE call only while the solutions are read."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run("query", f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/q> {{ ?s ?p ?o }} }}", "--export", built.out)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("Error: the query failed: ")


def test_query_csv_quotes_iris_with_commas(built):
    query = "SELECT ?x ?y WHERE { VALUES (?x ?y) { (<http://example.org/a,b> \"say \\\"hi\\\", then\") } }"
    result = run("query", query, "--export", built.out, "--format", "csv")
    assert result.exit_code == 0
    assert list(csv.reader(io.StringIO(result.stdout))) == [["x", "y"], ["http://example.org/a,b", 'say "hi", then']]


def test_a_graph_built_under_another_base_reads_the_same(tmp_path, corpus_dir, built):
    """show and path name sources by their ids whatever base the graph was built with."""
    from kg.graph.store import open_store
    from kg.graph.terms import DEFAULT_BASE
    from kg.query import graph_base

    other = tmp_path / "other"
    assert run("build", "--data", DATA, "--corpus", corpus_dir, "--out", other, "--base", "https://example.org/kg/").exit_code == 0
    assert graph_base(open_store(other)) == "https://example.org/kg/"
    assert graph_base(open_store(built.out)) == DEFAULT_BASE
    for command in (["show", "deepseek-v3"], ["path", "deepseek", "nvidia"]):
        ours, theirs = run(*command, "--export", built.out), run(*command, "--export", other)
        assert theirs.exit_code == 0 and "example.org" not in theirs.stdout
        assert theirs.stdout == ours.stdout
