"""Whatever a data file holds, build, validate and stats answer cleanly: never a traceback.

Hypothesis writes data files: records close to the real shape (so that
every stage, from YAML to SHACL, gets to run), dumped as YAML, then often
damaged as text or bytes: random bytes, control characters, huge numbers,
long strings, deep or odd structures, anchors, tags, extra documents. Each
command must exit 0, or exit 1 with nothing but `file:line:col: message`
lines and the count of problems.

The default run tries the same few dozen files every time, in a few seconds,
so that the suite's verdict never depends on luck. A longer run draws new
files at random:

    KG_FUZZ_EXAMPLES=5000 pytest tests/test_load_fuzz.py
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kg.cli.main import cli
from kg.curate.vocab import load_vocabulary

from .conftest import FIXTURES

EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "0")) or None
GOOD = yaml.safe_load((FIXTURES / "good.yaml").read_text(encoding="utf-8"))
A002 = GOOD["sources"][0]["file"]
SHA = GOOD["sources"][0]["sha256"]
VOCAB = load_vocabulary()

HUGE = ["9" * 4400, "1" * 201, "0." + "0" * 300 + "1", "1" * 199 + ".25 million USD", "7" * 301 + " W",
        "P" + "3" * 4400 + "M", "5" * 5000 + " weeks", "1e999999", "-1", "1,2,3", "10" * 150 + " trillion"]
SPECIAL = ["", " ", "~", "NO", "yes", "off", "null", "true", "false", "-", "a: b", "\t", "#", "\0", "\x1b",
           "\u2028", "\ufeff", "\ufffe", "\U0001f600", "x" * 300, "x" * 5000, "../x", "/etc/passwd", "a\nb",
           "2024-12-32", "2025-01-24", "2024-12", "2021", "P8M", "2 months", "6 million USD", "3.2 TB/s",
           "700 W", "2,000", "80 billion", "Q12345", "Q0"] + HUGE
IDS = ["a002", "a003", "deepseek-v3", "nvidia-h800", "Nvidia H800", "x", "-x", "a002 ", "A002", ""]
QUOTES = ["utilizing reduced-capability chips from Nvidia known as H800s", "known as H800s", "H800s",
          "reduced-capability chips", "chips", "called H800s", "known  as\nH800s", "known as H800s\u2026"]

scalars = st.one_of(
    st.sampled_from(SPECIAL), st.text(max_size=20), st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(), st.booleans(), st.none(),
)
anything = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8) | st.sampled_from(IDS), inner, max_size=3),
    max_leaves=8,
)
ids = st.sampled_from(IDS) | st.text(max_size=10)


def _or_anything(strategy):
    return strategy | anything


sources = st.fixed_dictionaries(
    {"id": ids, "file": st.sampled_from([A002, "nope.txt", "x" * 300, "../" + A002, "", "a\nb.txt"]),
     "kind": st.sampled_from(["news", "opinion", "blog", "newspaper"])},
    optional={"sha256": st.sampled_from([SHA, SHA.upper(), "0" * 64, "", "x" * 64]) | scalars,
              "title": scalars, "date": scalars, "publisher": ids, "author": scalars, "titel": scalars},
)
entities = st.fixed_dictionaries(
    {"id": ids, "type": st.sampled_from(sorted(VOCAB.actor_types) + ["Modle", ""]), "name": scalars},
    optional={"aliases": st.lists(scalars, max_size=3) | scalars, "wikidata": scalars, "description": scalars},
)
evidence = st.fixed_dictionaries({"source": ids, "quote": st.sampled_from(QUOTES) | scalars}, optional={"page": scalars})
claims = st.fixed_dictionaries(
    {"subject": ids, "property": st.sampled_from(sorted(VOCAB.properties) + ["trainedWith"]),
     "value": ids | scalars, "evidence": st.lists(_or_anything(evidence), max_size=3) | scalars},
    optional={"qualifiers": st.dictionaries(st.sampled_from(sorted(VOCAB.qualifiers) + ["contxt"]), scalars | ids, max_size=3),
              "rank": st.sampled_from(["preferred", "normal", "deprecated", "best"]), "reason": scalars},
)


# Claims that can pass every check, with values drawn freely, so that
# compiling, writing and SHACL see what the loader lets through.
numbers = st.one_of(
    st.integers(min_value=0, max_value=10**220).map(str),
    st.integers(min_value=0, max_value=10**12).map("{:,}".format),
    st.decimals(min_value=0, max_value=10**15, allow_nan=False, allow_infinity=False).map(lambda d: format(d, "f")),
)
multipliers = st.sampled_from(["", " thousand", " million", " billion", " trillion"])
free_text = st.text(min_size=1, max_size=30)
plausible_claims = st.one_of(
    st.builds(lambda v: ("describedAs", v, {}), free_text),
    st.builds(lambda n, m, c: ("developmentCost", f"{n}{m} {c}", {}), numbers, multipliers, st.sampled_from(["USD", "CNY", "usd"])),
    st.builds(lambda n, m: ("trainingChipCount", f"{n}{m}", {}), numbers, multipliers),
    st.builds(lambda n, u: ("trainingDuration", f"{n} {u}", {}), st.integers(0, 10**210), st.sampled_from(["days", "weeks", "month", "years"])),
    st.builds(lambda d: ("releaseDate", d.isoformat(), {}), st.dates()),
    st.builds(lambda v, q: ("describedAs", v, q), free_text, st.fixed_dictionaries({}, optional={
        "approximate": st.sampled_from(["true", "false"]), "context": free_text, "pointInTime": st.dates().map(str)})),
)


@st.composite
def data_files(draw) -> bytes:
    data = {section: list(records) for section, records in GOOD.items()}
    data["sources"][0] = {**data["sources"][0], **draw(st.fixed_dictionaries({}, optional={
        "title": free_text, "author": free_text, "dateline": free_text, "date": st.dates().map(str)}))}
    data["entities"][0] = {**data["entities"][0], **draw(st.fixed_dictionaries({}, optional={
        "aliases": st.lists(free_text, max_size=3), "description": free_text}))}
    quotes = iter(["known as H800s", "reduced-capability chips", "utilizing", "Nvidia"])
    for prop, value, qualifiers in draw(st.lists(plausible_claims, max_size=3, unique_by=lambda c: c[0])):
        claim = {"subject": "deepseek-v3", "property": prop, "value": value}
        claim.update({"qualifiers": qualifiers} if qualifiers else {})
        data["claims"].append({**claim, "evidence": [{"source": "a002", "quote": next(quotes)}]})
    if draw(st.integers(0, 2)) == 0:
        return _dump(draw, data).encode("utf-8")  # likely clean: reaches every stage
    for section, records in (("sources", sources), ("entities", entities), ("claims", claims)):
        data[section] += draw(st.lists(_or_anything(records), max_size=2))
        if draw(st.integers(0, 9)) == 0:
            data[section] = draw(anything)
    if draw(st.integers(0, 9)) == 0:
        data = draw(anything)  # the top level too
    text = _dump(draw, data)
    for _ in range(draw(st.integers(0, 2))):
        text = draw(_damage(text))
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    return raw


def _dump(draw, data) -> str:
    return yaml.safe_dump(data, allow_unicode=draw(st.booleans()), sort_keys=False,
                          default_flow_style=draw(st.sampled_from([False, True, None])), width=draw(st.sampled_from([80, 10**6])))


@st.composite
def _damage(draw, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    depth = draw(st.integers(1, 3000))
    insert = draw(st.one_of(
        st.sampled_from(SPECIAL),
        st.text(max_size=10),
        st.sampled_from([chr(c) for c in [*range(32), 0x7F, 0x85, 0xA0, 0xD800, 0xFEFF, 0xFFFE, 0xFFFF]]),
        st.just("[" * depth + "]" * depth),
        st.just("\n" + "".join(" " * (2 * level) + f"k{level}:\n" for level in range(depth % 90)) + " " * 200 + "v\n"),
        st.sampled_from(["&a ", "*a", "!!python/object/apply:os.system ", "!x ", "\n---\n", "\n...\n", "%YAML 1.1\n",
                         "\n  - ", ": ", "\t", "'", '"', "{", "}", "? ", "\n- ", "\nclaims:\n", "\nsources: x\n", "|\n"]),
    ))
    if draw(st.booleans()):
        return text[:at] + insert + text[at:]
    return text[:at] + insert + text[at + draw(st.integers(0, 20)):]


_LOCATED = re.compile(r":[1-9]\d*:[1-9]\d*: \S")


@settings(max_examples=EXAMPLES or 40, derandomize=EXAMPLES is None, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=data_files(), command=st.sampled_from(["build", "validate", "stats"]))
def test_any_data_file_gets_located_problems_or_a_clean_run(raw, command, corpus_dir):
    folder = Path(tempfile.mkdtemp(prefix="kg-fuzz-"))
    try:
        data = folder / "data.yaml"
        data.write_bytes(raw)
        args = [command, "--data", str(data), "--corpus", str(corpus_dir)]
        if command == "build":
            args += ["--out", str(folder / "out")]
        result = CliRunner().invoke(cli, args)
    finally:
        shutil.rmtree(folder)

    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code in (0, 1), result.output
    event(f"{command} exit {result.exit_code}")  # --hypothesis-show-statistics shows how many got through
    if result.exit_code == 0:
        return
    assert result.stdout == ""
    *problems, summary = result.stderr.split("\n")[:-1]
    assert re.fullmatch(r"[1-9]\d* problems? in the data", summary), result.stderr
    assert len(problems) == int(summary.split()[0]), result.stderr
    for line in problems:
        assert line.startswith(f"{data}:") and _LOCATED.match(line, len(str(data))), line
