"""Every canned query on a small catalog built to trip them (tests/fixtures/canned/).

In each canned query's output one row is one claim with one piece of evidence:
every column comes from that claim, the quote or cell is the evidence for
exactly what the row states, the claim's qualifiers and rank are shown, and a
figure that belongs to something else (a project's pledge, a policy's issuer)
is not repeated beside each row. The catalog has a claim with two sources,
claims with one or several qualifiers, a policy with two issuers from
different articles, a project with several backers and a pledge of its own,
and deprecated claims; the articles are short texts written for these tests.
A small table (datasets/tables/) states facts about DeepSeek-V3 that no
article gives, some of them also in the articles: every query whose question
a dataset answers shows its cells beside the quotes, by row and column (cell)
and exact text (evidence), with an amount's price year among the qualifiers.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from kg.query import canned_queries

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "canned"
F1, F2, F3, TABLES = (f"https://w3id.org/ai-race-kg/source/{name}" for name in ("f1", "f2", "f3", "tables"))
DEEPSEEK = "https://w3id.org/ai-race-kg/entity/deepseek"
OPTIONS = {"mentions": ["--bind", "actor=deepseek"]}

EXPECTED = {
    # The table is a source, not an actor; its publisher is.
    'actors': [
        ('type', 'id', 'name', 'aliases', 'claims'),
        ('Chip', 'h100', 'Nvidia H100', 'H100', '0'),
        ('Chip', 'h800', 'Nvidia H800', 'H800', '6'),
        ('Company', 'google', 'Google', '', '0'),
        ('Company', 'microsoft', 'Microsoft', '', '0'),
        ('Company', 'nvidia', 'Nvidia', '', '0'),
        ('Company', 'oracle', 'Oracle', '', '0'),
        ('Company', 'softbank', 'SoftBank', '', '0'),
        ('Country', 'china', 'China', '', '0'),
        ('Government', 'commerce-dept', 'Commerce Department', '', '0'),
        ('Government', 'us-gov', 'US government', '', '0'),
        ('Initiative', 'stargate', 'Stargate Project', '', '5'),
        ('Lab', 'deepseek', 'DeepSeek', '', '2'),
        ('Lab', 'openai', 'OpenAI', '', '0'),
        ('Model', 'gpt-1', 'GPT-1', '', '0'),
        ('Model', 'o1', 'OpenAI o1', 'o1', '1'),
        ('Model', 'r1', 'DeepSeek-R1', 'R1', '5'),
        ('Model', 'v3', 'DeepSeek-V3', 'V3', '10'),
        ('Organization', 'tables', 'Model Tables', '', '0'),
        ('Person', 'liang', 'Liang Wenfeng', 'Liang WenFeng', '0'),
        ('Person', 'liang-wang', 'Liang Wang', '', '1'),
        ('Person', 'nadella', 'Satya Nadella', '', '2'),
        ('Person', 'schmidt', 'Eric Schmidt', '', '2'),
        ('Policy', 'chip-rules', 'Chip export rules', '', '5'),
        ('SovereignWealthFund', 'mgx', 'MGX', '', '0'),
    ],
    'articles': [
        ('source', 'file', 'title', 'published', 'kind', 'claims', 'quotes'),
        (F1, 'f1.txt', 'Chips, money and models', '2025-01-24', 'NewsReport', '17', '18'),
        (F2, 'f2.txt', '', '', 'Blog', '14', '14'),
        (F3, 'f3.txt', "A sceptic's view", '', 'Opinion', '11', '11'),
    ],
    # The project's pledge is a row of its own, not a column beside each backer.
    'backers': [
        ('backed', 'property', 'value', 'qualifiers', 'rank', 'source', 'quote'),
        ('Stargate Project', 'backedBy', 'MGX', '', 'normal', F1, 'the fund MGX joins them'),
        ('Stargate Project', 'backedBy', 'OpenAI', '', 'normal', F1, 'SoftBank and OpenAI back the project'),
        ('Stargate Project', 'backedBy', 'OpenAI', '', 'normal', F2, 'OpenAI, which makes o1, is one of the backers of the Stargate Project'),
        ('Stargate Project', 'backedBy', 'Oracle', '', 'deprecated', F3, 'The Stargate Project, backed by Oracle'),
        ('Stargate Project', 'backedBy', 'SoftBank', '', 'normal', F1, 'SoftBank and OpenAI back the project'),
        ('Stargate Project', 'plannedInvestment', '500,000,000,000 USD', 'upper bound', 'normal', F1, 'The Stargate Project plans to spend up to $500 billion'),
    ],
    # "roughly 80 billion" stays approximate; the deprecated value says so.
    'chip-specs': [
        ('chip', 'specification', 'value', 'qualifiers', 'rank', 'source', 'quote'),
        ('Nvidia H800', 'architecture', 'Ampere', '', 'deprecated', F3, 'the Ampere-based H800'),
        ('Nvidia H800', 'architecture', 'Hopper', '', 'normal', F2, 'a Hopper chip'),
        ('Nvidia H800', 'memoryCapacity', '80 GB', '', 'normal', F2, '80 GB of memory'),
        ('Nvidia H800', 'thermalDesignPower', '700 W', 'upper bound', 'normal', F2, 'it draws at most 700 W'),
        ('Nvidia H800', 'transistorCount', '80000000000', 'approximate', 'normal', F2, 'The H800 packs roughly 80 billion transistors'),
    ],
    'deprecated': [
        ('subject', 'property', 'value', 'qualifiers', 'reason', 'source', 'quote'),
        ('DeepSeek', 'foundedBy', 'Liang Wang', '', 'A misspelling of Liang Wenfeng.', F3, 'Its founder Liang Wang'),
        ('DeepSeek-R1', 'outperformed', 'GPT-1', 'context: some tests', "OpenAI's reasoning model is o1.", F3, 'R1 beat GPT-1 in some tests'),
        ('DeepSeek-V3', 'trainedOn', 'Nvidia H100', '', 'The other articles say V3 was trained on H800 chips.', F3, 'DeepSeek trained V3 on H100 chips'),
        ('Liang Wang', 'ceoOf', 'DeepSeek', '', 'A misspelling of Liang Wenfeng.', F3, 'as DeepSeek chief, Liang Wang'),
        ('Nvidia H800', 'architecture', 'Ampere', '', 'The H800 is a Hopper chip.', F3, 'the Ampere-based H800'),
        ('Stargate Project', 'backedBy', 'Oracle', '', 'The other articles name SoftBank, OpenAI and MGX as the backers.', F3, 'The Stargate Project, backed by Oracle'),
    ],
    'disagreements': [
        ('kind', 'topic', 'side', 'subject', 'property', 'value', 'qualifiers', 'rank', 'reason', 'source', 'cell', 'evidence'),
        ('correction', 'DeepSeek-R1: outperformed', '1', 'DeepSeek-R1', 'outperformed', 'GPT-1', 'context: some tests', 'deprecated', "OpenAI's reasoning model is o1.", F3, '', 'R1 beat GPT-1 in some tests'),
        ('correction', 'DeepSeek-R1: outperformed', '2', 'DeepSeek-R1', 'outperformed', 'OpenAI o1', 'context: a maths test', 'normal', '', F1, '', "R1 beat OpenAI's o1 on a maths test"),
        ('correction', 'DeepSeek-V3: trained on', '1', 'DeepSeek-V3', 'trainedOn', 'Nvidia H100', '', 'deprecated', 'The other articles say V3 was trained on H800 chips.', F3, '', 'DeepSeek trained V3 on H100 chips'),
        ('correction', 'DeepSeek-V3: trained on', '2', 'DeepSeek-V3', 'trainedOn', 'Nvidia H800', '', 'normal', '', F1, '', 'DeepSeek trained its V3 model on Nvidia H800 chips'),
        ('correction', 'DeepSeek-V3: trained on', '2', 'DeepSeek-V3', 'trainedOn', 'Nvidia H800', '', 'normal', '', F2, '', 'It was trained on H800 chips'),
        ('correction', 'DeepSeek-V3: trained on', '2', 'DeepSeek-V3', 'trainedOn', 'Nvidia H800', '', 'normal', '', TABLES, "row 2, column 'Training hardware'", 'NVIDIA H800 SXM5'),
        ('correction', 'DeepSeek: founded by', '1', 'DeepSeek', 'foundedBy', 'Liang Wang', '', 'deprecated', 'A misspelling of Liang Wenfeng.', F3, '', 'Its founder Liang Wang'),
        ('correction', 'DeepSeek: founded by', '2', 'DeepSeek', 'foundedBy', 'Liang Wenfeng', '', 'normal', '', F1, '', 'Its founder, Liang WenFeng'),
        ('correction', 'DeepSeek: founded by', '2', 'DeepSeek', 'foundedBy', 'Liang Wenfeng', '', 'normal', '', F2, '', 'which was founded by Liang Wenfeng'),
        ('correction', 'Nvidia H800: architecture', '1', 'Nvidia H800', 'architecture', 'Ampere', '', 'deprecated', 'The H800 is a Hopper chip.', F3, '', 'the Ampere-based H800'),
        ('correction', 'Nvidia H800: architecture', '2', 'Nvidia H800', 'architecture', 'Hopper', '', 'normal', '', F2, '', 'a Hopper chip'),
        ('correction', 'Stargate Project: backed by', '1', 'Stargate Project', 'backedBy', 'Oracle', '', 'deprecated', 'The other articles name SoftBank, OpenAI and MGX as the backers.', F3, '', 'The Stargate Project, backed by Oracle'),
        ('correction', 'Stargate Project: backed by', '2', 'Stargate Project', 'backedBy', 'MGX', '', 'normal', '', F1, '', 'the fund MGX joins them'),
        ('correction', 'Stargate Project: backed by', '2', 'Stargate Project', 'backedBy', 'OpenAI', '', 'normal', '', F1, '', 'SoftBank and OpenAI back the project'),
        ('correction', 'Stargate Project: backed by', '2', 'Stargate Project', 'backedBy', 'OpenAI', '', 'normal', '', F2, '', 'OpenAI, which makes o1, is one of the backers of the Stargate Project'),
        ('correction', 'Stargate Project: backed by', '2', 'Stargate Project', 'backedBy', 'SoftBank', '', 'normal', '', F1, '', 'SoftBank and OpenAI back the project'),
        ('value', 'DeepSeek-V3: development cost', '1', 'DeepSeek-V3', 'developmentCost', '5,390,000 USD', 'price year: 2023', 'normal', '', TABLES, "row 2, column 'Training compute cost (2023 USD)'", '5390000.0'),
        ('value', 'DeepSeek-V3: development cost', '2', 'DeepSeek-V3', 'developmentCost', '5,600,000 USD', 'approximate; lower bound', 'normal', '', F3, '', 'a bill of roughly $5.6 million or more'),
        ('value', 'DeepSeek-V3: development cost', '3', 'DeepSeek-V3', 'developmentCost', '6,000,000 USD', 'approximate', 'normal', '', F1, '', 'at a cost of around $6 million'),
        ('value', 'DeepSeek-V3: development cost', '3', 'DeepSeek-V3', 'developmentCost', '6,000,000 USD', 'approximate', 'normal', '', F3, '', 'V3 cost about $6 million'),
        ('value', 'DeepSeek-V3: development cost', '4', 'DeepSeek-V3', 'developmentCost', '6,000,000 USD', 'upper bound', 'normal', '', F2, '', 'for less than $6 million'),
        ('value', 'DeepSeek-V3: release date', '1', 'DeepSeek-V3', 'releaseDate', '2024-12-24', '', 'normal', '', TABLES, "row 2, column 'Publication date'", '2024-12-24'),
        ('value', 'DeepSeek-V3: release date', '2', 'DeepSeek-V3', 'releaseDate', '2024-12', '', 'normal', '', F2, '', 'V3 came out in December 2024'),
        ('value', 'Nvidia H800: architecture', '1', 'Nvidia H800', 'architecture', 'Ampere', '', 'deprecated', 'The H800 is a Hopper chip.', F3, '', 'the Ampere-based H800'),
        ('value', 'Nvidia H800: architecture', '2', 'Nvidia H800', 'architecture', 'Hopper', '', 'normal', '', F2, '', 'a Hopper chip'),
    ],
    'founders': [
        ('organisation', 'founder', 'qualifiers', 'rank', 'reason', 'source', 'quote'),
        ('DeepSeek', 'Liang Wang', '', 'deprecated', 'A misspelling of Liang Wenfeng.', F3, 'Its founder Liang Wang'),
        ('DeepSeek', 'Liang Wenfeng', '', 'normal', '', F1, 'Its founder, Liang WenFeng'),
        ('DeepSeek', 'Liang Wenfeng', '', 'normal', '', F2, 'which was founded by Liang Wenfeng'),
    ],
    'lab-models': [
        ('developer', 'model', 'qualifiers', 'rank', 'source', 'cell', 'evidence'),
        ('DeepSeek', 'DeepSeek-R1', '', 'normal', F1, '', 'DeepSeek released a reasoning model called R1'),
        ('DeepSeek', 'DeepSeek-V3', '', 'normal', F1, '', 'DeepSeek trained its V3 model'),
        ('DeepSeek', 'DeepSeek-V3', '', 'normal', TABLES, "row 2, column 'Organization'", 'DeepSeek'),
        ('OpenAI', 'OpenAI o1', '', 'normal', F2, '', 'OpenAI, which makes o1'),
    ],
    # A mention is an article's words: the table's cell naming DeepSeek is not one.
    'mentions': [
        ('actor', 'source', 'as', 'subject', 'property', 'value', 'qualifiers', 'rank', 'quote'),
        (DEEPSEEK, F1, 'about', 'Satya Nadella', 'said', 'DeepSeek is super impressive', 'about: DeepSeek; context: reported speech', 'normal', 'Satya Nadella said that DeepSeek is "super impressive"'),
        (DEEPSEEK, F1, 'subject', 'DeepSeek', 'foundedBy', 'Liang Wenfeng', '', 'normal', 'Its founder, Liang WenFeng'),
        (DEEPSEEK, F1, 'value', 'DeepSeek-R1', 'developedBy', 'DeepSeek', '', 'normal', 'DeepSeek released a reasoning model called R1'),
        (DEEPSEEK, F1, 'value', 'DeepSeek-V3', 'developedBy', 'DeepSeek', '', 'normal', 'DeepSeek trained its V3 model'),
        (DEEPSEEK, F2, 'subject', 'DeepSeek', 'foundedBy', 'Liang Wenfeng', '', 'normal', 'which was founded by Liang Wenfeng'),
        (DEEPSEEK, F3, 'subject', 'DeepSeek', 'foundedBy', 'Liang Wang', '', 'deprecated', 'Its founder Liang Wang'),
        (DEEPSEEK, F3, 'value', 'Liang Wang', 'ceoOf', 'DeepSeek', '', 'deprecated', 'as DeepSeek chief, Liang Wang'),
    ],
    # The table's figure is in 2023 dollars, and says so beside the articles' nominal ones.
    'model-costs': [
        ('model', 'amount', 'currency', 'qualifiers', 'rank', 'source', 'cell', 'evidence'),
        ('DeepSeek-V3', '5390000', 'USD', 'price year: 2023', 'normal', TABLES, "row 2, column 'Training compute cost (2023 USD)'", '5390000.0'),
        ('DeepSeek-V3', '5600000', 'USD', 'approximate; lower bound', 'normal', F3, '', 'a bill of roughly $5.6 million or more'),
        ('DeepSeek-V3', '6000000', 'USD', 'approximate', 'normal', F1, '', 'at a cost of around $6 million'),
        ('DeepSeek-V3', '6000000', 'USD', 'approximate', 'normal', F3, '', 'V3 cost about $6 million'),
        ('DeepSeek-V3', '6000000', 'USD', 'upper bound', 'normal', F2, '', 'for less than $6 million'),
    ],
    'outperformed': [
        ('model', 'outperformed', 'qualifiers', 'rank', 'reason', 'source', 'quote'),
        ('DeepSeek-R1', 'GPT-1', 'context: some tests', 'deprecated', "OpenAI's reasoning model is o1.", F3, 'R1 beat GPT-1 in some tests'),
        ('DeepSeek-R1', 'OpenAI o1', 'context: a maths test', 'normal', '', F1, "R1 beat OpenAI's o1 on a maths test"),
    ],
    # Each issuer appears once, with the article that names it, not joined to
    # every restriction from every article.
    'policy-restrictions': [
        ('policy', 'property', 'value', 'qualifiers', 'rank', 'source', 'quote'),
        ('Chip export rules', 'restricts', 'Nvidia', 'context: what Nvidia may ship to Chinese buyers', 'normal', F1, 'limit what Nvidia may ship to Chinese buyers'),
        ('Chip export rules', 'restricts', 'Nvidia H100', '', 'normal', F1, 'restrict sales of the Nvidia H100 to China'),
        ('Chip export rules', 'restricts', 'Nvidia H100', '', 'normal', F3, 'Rules that keep the H100 out of China'),
        ('Chip export rules', 'targets', 'China', '', 'normal', F1, 'restrict sales of the Nvidia H100 to China'),
        ('Chip export rules', 'issuedBy', 'Commerce Department', '', 'normal', F2, 'The Commerce Department wrote the chip export rules'),
        ('Chip export rules', 'issuedBy', 'US government', '', 'normal', F1, 'The US government has widened its chip export rules'),
    ],
    'release-dates': [
        ('actor', 'released', 'qualifiers', 'rank', 'source', 'cell', 'evidence'),
        ('DeepSeek-R1', '2025-01-20', "context: curator's reading of 'On Monday' in an article published on 2025-01-24", 'normal', F1, '', 'On Monday, DeepSeek released a reasoning model called R1'),
        ('DeepSeek-R1', '2025-01-20', "context: curator's reading of 'On Monday' in an article published on 2025-01-24", 'normal', F1, '', 'Published January 24, 2025'),
        ('DeepSeek-V3', '2024-12', '', 'normal', F2, '', 'V3 came out in December 2024'),
        ('DeepSeek-V3', '2024-12-24', '', 'normal', TABLES, "row 2, column 'Publication date'", '2024-12-24'),
    ],
    'roles': [
        ('person', 'role', 'organisation', 'qualifiers', 'rank', 'source', 'quote'),
        ('Eric Schmidt', 'ceoOf', 'Google', 'former', 'normal', F3, 'former Google CEO Eric Schmidt'),
        ('Liang Wang', 'ceoOf', 'DeepSeek', '', 'deprecated', F3, 'as DeepSeek chief, Liang Wang'),
        ('Satya Nadella', 'ceoOf', 'Microsoft', '', 'normal', F1, 'Microsoft CEO Satya Nadella'),
        ('Satya Nadella', 'ceoOf', 'Microsoft', '', 'normal', F2, "Satya Nadella, Microsoft's chief executive"),
    ],
    'statements': [
        ('speaker', 'about', 'said', 'qualifiers', 'rank', 'source', 'quote'),
        ('Eric Schmidt', 'China', 'China has caught up', '', 'normal', F3, 'Eric Schmidt now says China has caught up'),
        ('Satya Nadella', 'DeepSeek', 'DeepSeek is super impressive', 'context: reported speech', 'normal', F1, 'Satya Nadella said that DeepSeek is "super impressive"'),
    ],
    # The three articles give no training compute, no country and no base model;
    # tests/test_dataset_queries.py has these queries' rows on a dataset.
    'training-runs-by-country': [
        ('country', 'model', 'compute', 'unit', 'rank', 'source', 'cell', 'evidence'),
    ],
    'training-runs-by-year': [
        ('year', 'model', 'compute', 'unit', 'rank', 'source', 'cell', 'evidence'),
    ],
    'model-lineage': [
        ('model', 'step', 'derived', 'base', 'rank', 'source', 'cell', 'evidence'),
    ],
    'lab-hardware': [
        ('lab', 'chip', 'model', 'rank', 'source', 'cell', 'evidence'),
        ('DeepSeek', 'Nvidia H100', 'DeepSeek-V3', 'deprecated', F3, '', 'DeepSeek trained V3 on H100 chips'),
        ('DeepSeek', 'Nvidia H800', 'DeepSeek-R1', 'normal', F2, '', 'R1 was trained on H800 chips in January 2025'),
        ('DeepSeek', 'Nvidia H800', 'DeepSeek-V3', 'normal', F1, '', 'DeepSeek trained its V3 model on Nvidia H800 chips'),
        ('DeepSeek', 'Nvidia H800', 'DeepSeek-V3', 'normal', F2, '', 'It was trained on H800 chips'),
        ('DeepSeek', 'Nvidia H800', 'DeepSeek-V3', 'normal', TABLES, "row 2, column 'Training hardware'", 'NVIDIA H800 SXM5'),
    ],
    'trained-on': [
        ('model', 'chip', 'qualifiers', 'rank', 'source', 'cell', 'evidence'),
        ('DeepSeek-R1', 'Nvidia H800', 'point in time: 2025-01', 'normal', F2, '', 'R1 was trained on H800 chips in January 2025'),
        ('DeepSeek-V3', 'Nvidia H100', '', 'deprecated', F3, '', 'DeepSeek trained V3 on H100 chips'),
        ('DeepSeek-V3', 'Nvidia H800', '', 'normal', F1, '', 'DeepSeek trained its V3 model on Nvidia H800 chips'),
        ('DeepSeek-V3', 'Nvidia H800', '', 'normal', F2, '', 'It was trained on H800 chips'),
        ('DeepSeek-V3', 'Nvidia H800', '', 'normal', TABLES, "row 2, column 'Training hardware'", 'NVIDIA H800 SXM5'),
    ],
}


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    out = tmp_path_factory.mktemp("canned-export")
    result = CliRunner().invoke(cli, ["build", "--data", str(FIXTURE / "data.yaml"), "--corpus", str(FIXTURE / "corpus"),
                                      "--datasets", str(FIXTURE / "datasets"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def query_rows(export: Path, name: str) -> list[tuple[str, ...]]:
    result = CliRunner().invoke(cli, ["query", name, "--export", str(export), "-f", "csv", *OPTIONS.get(name, [])])
    assert result.exit_code == 0, result.output
    return [tuple(row) for row in csv.reader(io.StringIO(result.stdout))]


def test_every_canned_query_is_pinned():
    assert sorted(EXPECTED) == sorted(canned_queries())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_canned_query_rows(export, name):
    assert query_rows(export, name) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_description_says_what_one_row_is(name):
    description = canned_queries()[name].description
    assert "one row per" in description and description.endswith("."), description
