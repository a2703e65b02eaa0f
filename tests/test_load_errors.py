"""Errors that point at the real problem, all of them in one pass, and never a traceback.

Every case runs the real CLI on real files in tmp_path against the real
corpus, and checks the exact output and exit status of `kg build`,
`kg validate` and `kg stats`.
"""
from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from kg.cli.main import cli

from .conftest import FIXTURES

GOOD = (FIXTURES / "good.yaml").read_text(encoding="utf-8")
A002 = "002_6e2e3c64fefd2a3a.txt"
A002_SHA = "c28c443761ce0da7e3fdb66cfe802fceea024783fc3ead48c0e33d10f3a1b022"
SHA_LINE = f"    sha256: {A002_SHA}\n"
COMMANDS = ["build", "validate", "stats"]


def _claim(subject="deepseek-v3", prop="trainedOn", value="nvidia-h800", source="a002", quote="known as H800s") -> str:
    return (f"  - subject: {subject}\n    property: {prop}\n    value: {value}\n"
            f"    evidence:\n      - source: {source}\n        quote: {quote}\n")


def _run(command: str, data, corpus_dir, tmp_path):
    args = [command, "--data", str(data), "--corpus", str(corpus_dir)]
    if command == "build":
        args += ["--out", str(tmp_path / "out")]
    return CliRunner().invoke(cli, args)


def _write(tmp_path, text: str, name: str = "data.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _assert_problems(result, lines: list[str]) -> None:
    count = len(lines)
    assert (result.exit_code, result.stdout) == (1, ""), result.output
    assert result.stderr == "\n".join(lines + [f"{count} problem{'s' if count > 1 else ''} in the data"]) + "\n"


# A. Errors that point at the real problem.

@pytest.mark.parametrize("command", COMMANDS)
def test_a_source_without_sha256_is_one_problem_that_gives_the_hash_to_paste(command, tmp_path, corpus_dir):
    # Before: one "unknown source 'a002'" per claim that cites it, and no hash.
    data = _write(tmp_path, GOOD.replace(SHA_LINE, "") + _claim(prop="trainingChipCount", value="2000"))
    result = _run(command, data, corpus_dir, tmp_path)
    _assert_problems(result, [f"{data}:2:5: missing field 'sha256'; {A002} has sha256: {A002_SHA}"])
    assert not (tmp_path / "out").exists()


def test_a_malformed_sha256_gives_the_files_hash(tmp_path, corpus_dir):
    data = _write(tmp_path, GOOD.replace(SHA_LINE, f"    sha256: {A002_SHA.upper()}\n"))
    result = _run("build", data, corpus_dir, tmp_path)
    _assert_problems(result, [f"{data}:4:13: sha256 must be 64 lowercase hexadecimal digits; {A002} has sha256: {A002_SHA}"])


def test_quotes_from_a_source_without_sha256_are_still_checked_in_the_same_pass(tmp_path, corpus_dir):
    data = _write(tmp_path, GOOD.replace(SHA_LINE, "") + _claim(prop="trainingChipCount", value="2000", quote="called H800s"))
    result = _run("build", data, corpus_dir, tmp_path)
    _assert_problems(result, [
        f"{data}:2:5: missing field 'sha256'; {A002} has sha256: {A002_SHA}",
        f"{data}:28:16: quote not found in {A002}; check the source id and the wording; nothing in {A002} is close to it",
    ])


def test_a_source_without_sha256_whose_file_is_missing_says_both(tmp_path, corpus_dir):
    data = _write(tmp_path, GOOD.replace(SHA_LINE, "").replace(A002, "no-such-article.txt"))
    result = _run("build", data, corpus_dir, tmp_path)
    _assert_problems(result, [
        f"{data}:2:5: missing field 'sha256' (run: sha256sum FILE)",
        f"{data}:3:11: no-such-article.txt is not in the corpus folder {str(corpus_dir)!r}",
    ])


def test_a_source_that_fails_its_shape_is_not_reported_as_unknown_where_cited(tmp_path, corpus_dir):
    data = _write(tmp_path, GOOD.replace("    kind: news\n", "    kind: newspaper\n") + _claim())
    result = _run("build", data, corpus_dir, tmp_path)
    _assert_problems(result, [f"{data}:5:11: 'kind' must be one of 'news', 'opinion' or 'blog'; got 'newspaper'"])


def test_an_entity_that_fails_its_shape_is_not_reported_as_unknown_where_cited(tmp_path, corpus_dir):
    data = _write(tmp_path, GOOD.replace("    aliases: [H800s]\n", "    aliases: [H800s]\n    wikidata: nope\n"))
    result = _run("build", data, corpus_dir, tmp_path)
    _assert_problems(result, [f"{data}:16:15: wikidata id must look like Q12345; got 'nope'"])


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_property_and_an_unknown_source_come_in_one_pass(command, tmp_path, corpus_dir):
    # Before: only the property; the source on the next build.
    data = _write(tmp_path, GOOD + _claim(prop="trainedWith", source="a009"))
    result = _run(command, data, corpus_dir, tmp_path)
    _assert_problems(result, [
        f"{data}:25:15: unknown property 'trainedWith' (did you mean 'trainedOn'?)",
        f"{data}:28:17: unknown source 'a009' (did you mean 'a002'?)",
    ])


def test_an_unknown_property_with_a_bad_qualifier_and_a_quote_not_found_come_in_one_pass(tmp_path, corpus_dir):
    claim = _claim(prop="trainedWith", quote="called H800s").replace("    evidence:\n", "    qualifiers: {contxt: a guess}\n    evidence:\n")
    data = _write(tmp_path, GOOD + claim)
    result = _run("build", data, corpus_dir, tmp_path)
    _assert_problems(result, [
        f"{data}:25:15: unknown property 'trainedWith' (did you mean 'trainedOn'?)",
        f"{data}:27:18: unknown qualifier 'contxt' (did you mean 'context'?); known: about, approximate, context, former, lowerBound, pointInTime, priceYear, upperBound",
        f"{data}:30:16: quote not found in {A002}; check the source id and the wording; nothing in {A002} is close to it",
    ])


def _two_files(tmp_path, new_name: str):
    folder = tmp_path / "data"
    folder.mkdir()
    old = _write(folder, GOOD, "entities.yaml")
    new = _write(folder, "claims:\n" + _claim(quote="reduced-capability chips"), new_name)
    # The curator wrote the new file after the old one.
    os.utime(old, ns=(1_700_000_000 * 10**9, 1_700_000_000 * 10**9))
    os.utime(new, ns=(1_800_000_000 * 10**9, 1_800_000_000 * 10**9))
    return folder, old, new


@pytest.mark.parametrize("new_name", ["a-new.yaml", "z-new.yaml"])
def test_a_claim_stated_again_in_a_new_file_is_reported_on_the_new_statement(new_name, tmp_path, corpus_dir):
    # Before: with the new file read first, the old claim was told to move its evidence into it.
    folder, old, new = _two_files(tmp_path, new_name)
    result = _run("build", folder, corpus_dir, tmp_path)
    # The two statements are merged into one claim; their quotes overlap, which is the real conflict.
    _assert_problems(result, [f"{new}:7:16: this quote overlaps the one at {old}:23:16 from the same article; keep one of them"])


def test_a_claim_stated_twice_in_one_file_is_reported_on_the_later_statement(tmp_path, corpus_dir):
    data = _write(tmp_path, GOOD + _claim())
    result = _run("build", data, corpus_dir, tmp_path)
    _assert_problems(result, [f"{data}:29:16: this quote overlaps the one at {data}:23:16 from the same article; keep one of them"])


# C. Bad input that used to end in a traceback.

@pytest.mark.parametrize("command", COMMANDS)
def test_a_nul_byte_is_located(command, tmp_path, corpus_dir):
    data = _write(tmp_path, GOOD.replace("name: DeepSeek-V3", "name: Deep\0Seek-V3"))
    result = _run(command, data, corpus_dir, tmp_path)
    _assert_problems(result, [f"{data}:11:15: control character U+0000 is not allowed in YAML; remove it"])


def test_other_characters_yaml_refuses_are_located(tmp_path, corpus_dir):
    data = _write(tmp_path, GOOD.replace("kind: news", "kind: n\x1bews").replace("name: Nvidia H800", "name: Nvidia\ufffe H800"))
    result = _run("build", data, corpus_dir, tmp_path)
    # YAML stops at the first; the fix of one shows the next.
    _assert_problems(result, [f"{data}:5:12: control character U+001B is not allowed in YAML; remove it"])


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("prop, value, message", [
    ("developmentCost", "1" * 201 + " USD", "'developmentCost' takes an amount: the number has 201 digits; the graph keeps at most 200"),
    ("developmentCost", "1" * 199 + ".25 million USD", "'developmentCost' takes an amount: the number has 201 digits; the graph keeps at most 200"),
    ("trainingChipCount", "9" * 4301, "'trainingChipCount' takes a count: the number has 4301 digits; the graph keeps at most 200"),
    ("trainingChipCount", "1" * 200 + " trillion", None),
    ("trainingDuration", "7" * 4400 + " weeks", "'trainingDuration' takes a duration: the number has 4400 digits; the graph keeps at most 200"),
    ("trainingDuration", "P" + "3" * 4400 + "M", "'trainingDuration' takes a duration: the number has 4400 digits; the graph keeps at most 200"),
])
def test_huge_numbers_are_located(command, prop, value, message, tmp_path, corpus_dir):
    data = _write(tmp_path, GOOD + _claim(prop=prop, value=value))
    result = _run(command, data, corpus_dir, tmp_path)
    if message is None:  # 212 digits after the multiplier, written exactly
        assert result.exit_code == 0, result.output
        return
    _assert_problems(result, [f"{data}:26:12: {message}"])


def test_a_quantity_with_too_many_digits_is_located(tmp_path, corpus_dir):
    text = GOOD + _claim(subject="nvidia-h800", prop="thermalDesignPower", value="7" * 300 + ".5 W", quote="H800s")
    data = _write(tmp_path, text)
    result = _run("build", data, corpus_dir, tmp_path)
    _assert_problems(result, [f"{data}:26:12: 'thermalDesignPower' takes a quantity: the number has 301 digits; the graph keeps at most 200"])


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_name_too_long_for_the_system_is_located(command, tmp_path, corpus_dir):
    data = _write(tmp_path, GOOD.replace(A002, "x" * 300))
    result = _run(command, data, corpus_dir, tmp_path)
    _assert_problems(result, [f"{data}:3:11: cannot look for this file in the corpus folder: File name too long"])


def test_a_file_name_too_long_without_sha256_is_located_once(tmp_path, corpus_dir):
    data = _write(tmp_path, GOOD.replace(A002, "x" * 300).replace(SHA_LINE, ""))
    result = _run("build", data, corpus_dir, tmp_path)
    _assert_problems(result, [
        f"{data}:2:5: missing field 'sha256' (run: sha256sum FILE)",
        f"{data}:3:11: cannot look for this file in the corpus folder: File name too long",
    ])


def test_a_data_path_too_long_for_the_system_is_a_clean_error(tmp_path, corpus_dir):
    data = tmp_path / ("d" * 300 + ".yaml")
    result = _run("build", data, corpus_dir, tmp_path)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {data}: cannot read it: File name too long\n"


def test_a_message_that_echoes_a_line_break_stays_on_one_line(tmp_path, corpus_dir):
    # Found by tests/test_load_fuzz.py: a file name with a line break split its problem in two lines.
    data = _write(tmp_path, GOOD.replace(f"file: {A002}", 'file: "a\\nb.txt"'))
    result = _run("build", data, corpus_dir, tmp_path)
    _assert_problems(result, [f"{data}:3:11: a\\nb.txt is not in the corpus folder {str(corpus_dir)!r}"])
