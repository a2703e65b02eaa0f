"""Bad input: every defect is reported at its file:line:col, nothing is written.

Each fixture in tests/fixtures/bad is tests/fixtures/good.yaml with one
defect (several_problems.yaml has two, to show they come in one pass).
"""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg.cli.main import cli

from .conftest import FIXTURES

BAD = FIXTURES / "bad"

EXPECTED = {
    "anchor_alias.yaml": [
        "anchor_alias.yaml:11:11: anchor '&label' is not allowed; write the value out in full",
        "anchor_alias.yaml:12:18: alias '*label' is not allowed; write the value out in full",
    ],
    "coerced_boolean.yaml": [
        "coerced_boolean.yaml:15:22: unquoted 'NO' is read as the boolean false by YAML 1.1 tools; put it in quotes: \"NO\"",
    ],
    "deprecated_without_reason.yaml": [
        "deprecated_without_reason.yaml:18:5: a deprecated claim needs a 'reason' saying why",
    ],
    "duplicate_id.yaml": [
        "duplicate_id.yaml:12:9: duplicate entity id 'deepseek-v3' (first defined at duplicate_id.yaml:9:9)",
        "duplicate_id.yaml:20:12: unknown entity 'nvidia-h800'",
    ],
    "duplicate_key.yaml": [
        "duplicate_key.yaml:12:5: duplicate key 'name': the second value would silently replace the first",
    ],
    "empty.yaml": [
        "empty.yaml:1:1: the file is empty; expected a mapping with 'sources', 'entities' and/or 'claims'",
    ],
    "invalid_date.yaml": [
        "invalid_date.yaml:26:12: 'releaseDate' takes a date: '2024-12-32' is not a valid date: day is out of range for month",
    ],
    "no_evidence.yaml": [
        "no_evidence.yaml:21:15: a claim needs at least one piece of evidence: a list of {source, quote}",
    ],
    "non_utf8.yaml": [
        "non_utf8.yaml:14:23: the file is not valid UTF-8 (byte 0xe9); save it as UTF-8",
    ],
    "python_tag.yaml": [
        "python_tag.yaml:14:11: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed; data files hold plain values only",
    ],
    "quote_not_found.yaml": [
        "quote_not_found.yaml:23:16: quote not found in 002_6e2e3c64fefd2a3a.txt; it matches up to '-capability chips from Nvidia ', then the article has 'known as H800s. Thes' where the quote has 'called H800s'; the closest passage is at line 9, column 195; paste exactly: 'utilizing reduced-capability chips from Nvidia known as H800s'",
    ],
    "quote_twice.yaml": [
        "quote_twice.yaml:23:16: quote occurs more than once in 002_6e2e3c64fefd2a3a.txt (lines 13, 19); lengthen it so that it is unique",
    ],
    "several_problems.yaml": [
        "several_problems.yaml:18:14: unknown entity 'deepseek-v4' (did you mean 'deepseek-v3'?)",
        "several_problems.yaml:19:15: unknown property 'trainedOnn' (did you mean 'trainedOn'?)",
    ],
    "unknown_field.yaml": [
        "unknown_field.yaml:6:5: unknown field 'titel' (did you mean 'title'?); allowed: author, date, dateline, file, id, kind, publisher, section, sha256, title",
    ],
    "unknown_property.yaml": [
        "unknown_property.yaml:19:15: unknown property 'trainedWith' (did you mean 'trainedOn'?)",
    ],
    "unknown_reference.yaml": [
        "unknown_reference.yaml:18:14: unknown entity 'deepseek-v4' (did you mean 'deepseek-v3'?)",
    ],
    "unsafe_id.yaml": [
        "unsafe_id.yaml:12:9: id 'Nvidia H800' is not safe in an IRI; use lowercase letters, digits, '-', '.' and '_', e.g. 'nvidia-h800'",
        "unsafe_id.yaml:20:12: unknown entity 'nvidia-h800'",
    ],
    "wrong_sha256.yaml": [
        "wrong_sha256.yaml:4:13: sha256 does not match 002_6e2e3c64fefd2a3a.txt: the file has c28c443761ce0da7e3fdb66cfe802fceea024783fc3ead48c0e33d10f3a1b022; if the article changed on purpose, update the record",
    ],
    "wrong_value_type.yaml": [
        "wrong_value_type.yaml:20:12: 'trainedOn' points at a Chip, but 'deepseek-v3' is a Model",
    ],
    "yaml_syntax.yaml": [
        "yaml_syntax.yaml:14:22: YAML syntax error: mapping values are not allowed in this context; a value that contains ': ' must be quoted",
    ],
}


def test_every_fixture_has_an_expectation():
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted(EXPECTED)
    assert len(EXPECTED) >= 15


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_is_reported_and_export_untouched(name, tmp_path, corpus_dir, monkeypatch):
    out = tmp_path / "export"
    out.mkdir()
    previous = {"kg.ttl": "previous turtle\n", "kg.nq": "previous quads\n", "kg.jsonld": "{}\n"}
    for file, text in previous.items():
        (out / file).write_text(text)
    monkeypatch.chdir(BAD)

    result = CliRunner().invoke(cli, ["build", "--data", name, "--corpus", str(corpus_dir), "--out", str(out)])

    lines = result.stderr.splitlines()
    assert result.exit_code == 1, result.output
    assert lines[:-1] == EXPECTED[name]
    count = len(EXPECTED[name])
    assert lines[-1] == f"{count} problem{'s' if count > 1 else ''} in the data"
    assert result.stdout == ""
    assert {p.name: p.read_text() for p in out.iterdir()} == previous


def test_good_fixture_builds(tmp_path, corpus_dir):
    result = CliRunner().invoke(cli, ["build", "--data", str(FIXTURES / "good.yaml"), "--corpus", str(corpus_dir), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [".kg-lock", ".kg-switch", "graph.html", "kg.jsonld", "kg.nq", "kg.ttl"]


def test_a_folder_of_files_is_one_dataset(tmp_path, corpus_dir):
    """Data can grow past one file: references resolve across files."""
    text = (FIXTURES / "good.yaml").read_text()
    head, claims = text.split("claims:\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "entities.yaml").write_text(head)
    (tmp_path / "data" / "claims.yaml").write_text("claims:\n" + claims)
    result = CliRunner().invoke(cli, ["build", "--data", str(tmp_path / "data"), "--corpus", str(corpus_dir), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "2 entities, 1 claim and" in result.stderr


def test_missing_corpus_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(cli, ["build", "--data", str(FIXTURES / "good.yaml"), "--corpus", str(tmp_path / "nowhere"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: corpus folder '{tmp_path / 'nowhere'}' (from --corpus) does not exist; pass --corpus DIR or set KG_CORPUS\n"


def test_alias_bomb_is_refused_before_expansion(tmp_path, corpus_dir):
    """A billion-laughs document is refused at its first anchor, quickly."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(cli, ["build", "--data", str(bomb), "--corpus", str(corpus_dir), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{bomb}:1:5: anchor '&a0' is not allowed; write the value out in full\n")
    assert not (tmp_path / "out").exists()


def test_output_folder_that_is_a_file_is_a_clean_error(tmp_path, corpus_dir):
    target = tmp_path / "export"
    target.write_text("not a folder")
    result = CliRunner().invoke(cli, ["build", "--data", str(FIXTURES / "good.yaml"), "--corpus", str(corpus_dir), "--out", str(target)])
    assert result.exit_code == 2  # a usage error, caught by the option's type
    assert f"Error: Invalid value for '--out': Directory '{target}' is a file." in result.stderr
    assert target.read_text() == "not a folder"


def test_deep_nesting_is_refused_not_a_crash(tmp_path, corpus_dir):
    deep = tmp_path / "deep.yaml"
    deep.write_text("claims:\n  - subject: x\n    value: " + "[" * 30000 + "]" * 30000 + "\n")
    result = CliRunner().invoke(cli, ["build", "--data", str(deep), "--corpus", str(corpus_dir), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{deep}:3:")
    assert "nested more than 64 levels deep" in result.stderr


def test_an_export_file_that_cannot_be_replaced_stops_before_any_file_moves(tmp_path, corpus_dir):
    out = tmp_path / "export"
    (out / "kg.ttl").mkdir(parents=True)
    (out / "kg.nq").write_text("previous quads\n")
    result = CliRunner().invoke(cli, ["build", "--data", str(FIXTURES / "good.yaml"), "--corpus", str(corpus_dir), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot replace '{out / 'kg.ttl'}': it is a folder; the previous files are untouched\n"
    assert sorted(p.name for p in out.iterdir()) == [".kg-lock", ".kg-switch", "kg.nq", "kg.ttl"]
    assert (out / "kg.nq").read_text() == "previous quads\n"


def test_reference_and_quote_problems_come_in_one_pass(tmp_path, corpus_dir):
    text = (FIXTURES / "good.yaml").read_text()
    text = text.replace("quote: utilizing reduced-capability chips from Nvidia known as H800s",
                        "quote: utilizing reduced-capability chips from Nvidia called H800s")
    text += """  - subject: deepseek-v3
    property: trainedOn
    value: nvidia-h900
    evidence:
      - source: a002
        quote: known as H800s
"""
    data = tmp_path / "two.yaml"
    data.write_text(text)
    result = CliRunner().invoke(cli, ["build", "--data", str(data), "--corpus", str(corpus_dir), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{data}:23:16: quote not found in 002_6e2e3c64fefd2a3a.txt; it matches up to '-capability chips from Nvidia ', then the article has 'known as H800s. Thes' where the quote has 'called H800s'; the closest passage is at line 9, column 195; paste exactly: 'utilizing reduced-capability chips from Nvidia known as H800s'"
    assert lines[1] == f"{data}:26:12: unknown entity 'nvidia-h900' (did you mean 'nvidia-h800'?)"
    assert lines[2] == "2 problems in the data"


def test_overlapping_quotes_from_one_article_on_one_claim_are_refused(tmp_path, corpus_dir):
    text = (FIXTURES / "good.yaml").read_text() + """      - source: a002
        quote: known as H800s
"""
    data = tmp_path / "overlap.yaml"
    data.write_text(text)
    result = CliRunner().invoke(cli, ["build", "--data", str(data), "--corpus", str(corpus_dir), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{data}:25:16: this quote overlaps the one at {data}:23:16 from the same article; keep one of them"


def test_hidden_files_in_a_data_folder_are_not_data(tmp_path, corpus_dir):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "entities.yaml").write_text((FIXTURES / "good.yaml").read_text())
    (tmp_path / "data" / "._entities.yaml").write_bytes(b"\x00\x05\x16\x07 not yaml")
    result = CliRunner().invoke(cli, ["build", "--data", str(tmp_path / "data"), "--corpus", str(corpus_dir), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output


def test_nesting_past_the_limit_is_refused_by_the_projects_own_check(tmp_path, corpus_dir):
    # 70 block levels: shallow enough that no YAML release stops it first.
    deep = tmp_path / "deep.yaml"
    lines = ["claims:", "  - subject: x", "    value:"]
    lines += [" " * (6 + 2 * level) + f"k{level}:" for level in range(70)]
    deep.write_text("\n".join(lines) + " end\n")
    result = CliRunner().invoke(cli, ["build", "--data", str(deep), "--corpus", str(corpus_dir), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr == f"{deep}:65:129: nested more than 64 levels deep; data files need a handful\n1 problem in the data\n"
