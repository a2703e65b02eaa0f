"""A dataset imported whole (`import: all`): every row's cells read from the file, the subject
of an uncurated row resolved from its key column, unreadable cells acknowledged under `skip`."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from tests.conftest import FIXTURES

ORBIT = FIXTURES / "dataset_import"


def _orbit(tmp_path: Path, csv_edit=None, data_edit=None) -> list[str]:
    """Arguments for a command on the orbit dataset, copied into tmp_path and changed if asked;
    a changed CSV gets its new sha256 recorded, so that only the cells are at issue."""
    folder = tmp_path / "datasets"
    shutil.copytree(ORBIT, folder)
    csv_file, data = folder / "orbit" / "models.csv", folder / "data.yaml"
    text = data.read_text(encoding="utf-8")
    if csv_edit is not None:
        old = hashlib.sha256(csv_file.read_bytes()).hexdigest()
        csv_file.write_text(csv_edit(csv_file.read_text(encoding="utf-8")), encoding="utf-8", newline="")
        text = text.replace(old, hashlib.sha256(csv_file.read_bytes()).hexdigest())
    if data_edit is not None:
        text = data_edit(text)
    data.write_text(text, encoding="utf-8")
    (tmp_path / "corpus").mkdir(exist_ok=True)
    return ["--data", str(data), "--corpus", str(tmp_path / "corpus"), "--datasets", str(folder)]


@pytest.fixture
def catalog(tmp_path):
    from kg.build import checked_catalog
    from kg.curate.datasets import DATASETS_FOLDER

    args = _orbit(tmp_path)
    token = DATASETS_FOLDER.set(Path(args[5]))
    try:
        return checked_catalog(Path(args[1]), Path(args[3]))[0]
    finally:
        DATASETS_FOLDER.reset(token)


def _claims(catalog) -> list[tuple]:
    return sorted((c.subject, c.property.name, c.value.display(), ev.fragment, ev.column, ev.exact, ev.note)
                  for c in catalog.claims for ev in c.evidence)


def test_every_row_is_imported_with_each_cell_cited_from_the_file(catalog):
    assert _claims(catalog) == [
        ("alpha-1", "developedBy", "acme", "cell=6,2", "Organization", "Acme Labs", ""),
        ("alpha-1", "developerCountry", "freedonia", "cell=6,6", "Country", "Freedonia", ""),
        ("alpha-1", "parameterCount", "1,300,000,000", "cell=6,4", "Parameters", "1300000000.0", ""),
        ("alpha-1", "releaseDate", "2022-11-30", "cell=6,3", "Publication date", "2022-11-30", ""),
        ("lyra", "baseModel", "orion-7b", "cell=5,7", "Base model", "Orion-7B,Vega (large, v2)", ""),
        ("lyra", "baseModel", "vega-large-v2", "cell=5,7", "Base model", "Orion-7B,Vega (large, v2)", ""),
        ("lyra", "developedBy", "zed-corp", "cell=5,2", "Organization", "Zed Corp", ""),
        ("lyra", "parameterCount", "12,000,000,000", "cell=5,4", "Parameters", "12000000000.0", ""),
        ("lyra", "releaseDate", "2025-01-15", "cell=5,3", "Publication date", "2025-01-15", ""),
        ("orion-7b", "developedBy", "acme", "cell=2,2", "Organization", "Acme Labs,Nova AI", ""),
        ("orion-7b", "developedBy", "nova-ai", "cell=2,2", "Organization", "Acme Labs,Nova AI", ""),
        ("orion-7b", "developerCountry", "freedonia", "cell=2,6", "Country", "Freedonia,Freedonia", ""),
        ("orion-7b", "parameterCount", "7,000,000,000", "cell=2,4", "Parameters", "7000000000.0", "7B, from the model card\n"),
        ("orion-7b", "releaseDate", "2024-03-01", "cell=2,3", "Publication date", "2024-03-01", ""),
        ("orion-7b-chat", "baseModel", "orion-7b", "cell=3,7", "Base model", "Orion-7B", ""),
        ("orion-7b-chat", "developedBy", "acme", "cell=3,2", "Organization", "Acme Labs", ""),
        ("orion-7b-chat", "developerCountry", "freedonia", "cell=3,6", "Country", "Freedonia", ""),
        ("orion-7b-chat", "releaseDate", "2024-04", "cell=3,3", "Publication date", "2024-04", ""),
        # 256999999.99999997 is one float64 step from 257000000: that whole number, the cell kept as written.
        ("vega-large-v2", "developedBy", "nova-ai", "cell=4,2", "Organization", "Nova AI", ""),
        ("vega-large-v2", "developerCountry", "sylvania", "cell=4,6", "Country", "Sylvania", ""),
        ("vega-large-v2", "parameterCount", "257,000,000", "cell=4,4", "Parameters", "256999999.99999997", ""),
        ("vega-large-v2", "releaseDate", "2023", "cell=4,3", "Publication date", "2023", ""),
    ]


def test_a_row_whose_key_the_crosswalk_decides_describes_the_curated_entity(catalog):
    assert "lyra" not in catalog.dataset_entities and catalog.entities["lyra"].record.name == "Lyra"
    assert {c.subject for c in catalog.claims if any(ev.row == 5 for ev in c.evidence)} == {"lyra"}


def test_undecided_names_get_ids_made_from_the_name_and_are_counted(tmp_path, catalog):
    made = {eid: (catalog.entities[eid].type, catalog.entities[eid].record.name) for eid in catalog.dataset_entities}
    assert made == {
        "nova-ai": ("Organization", "Nova AI"),
        "orion-7b": ("Model", "Orion-7B"),
        "orion-7b-chat": ("Model", "Orion-7B-Chat"),  # the cell's trailing newline is not part of the name
        "sylvania": ("Country", "Sylvania"),
        "vega-large-v2": ("Model", "Vega (large, v2)"),
        "zed-corp": ("Organization", "Zed Corp"),
    }
    result = CliRunner().invoke(cli, ["build", *_orbit(tmp_path / "cli"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == (
        "6 dataset names with no crosswalk decision, each its own entity: Nova AI, Orion-7B, Orion-7B-Chat, "
        "Sylvania, Vega (large, v2), Zed Corp (decide in data/crosswalk.yaml; kg match proposes pairs)")


def test_a_model_named_in_the_key_column_and_as_a_base_model_is_one_entity(catalog):
    uses = sorted((c.subject, ev.column) for c in catalog.claims if c.value.lexical == "orion-7b" for ev in c.evidence)
    assert uses == [("lyra", "Base model"), ("orion-7b-chat", "Base model")]
    assert {c.subject for c in catalog.claims if any(ev.row == 2 for ev in c.evidence)} == {"orion-7b"}
    assert [e for e in catalog.entities if e.startswith("orion-7b")] == ["orion-7b", "orion-7b-chat"]


def test_a_curated_rows_key_name_is_the_rows_entity_wherever_it_is_used(tmp_path):
    # Lyra's base model names the curated row 6 ("Alpha One"): it is alpha-1, not a new entity.
    args = _orbit(tmp_path, csv_edit=lambda text: text.replace('"Orion-7B,Vega (large, v2)"', "Alpha One"))
    result = CliRunner().invoke(cli, ["build", *args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Alpha One" not in result.output
    result = CliRunner().invoke(cli, ["query", "SELECT ?base { entity:lyra kg:baseModel ?base }",
                                      "--export", str(tmp_path / "out"), "--format", "csv"])
    assert result.output == "base\nhttps://w3id.org/ai-race-kg/entity/alpha-1\n"


def _unreadable(text: str) -> str:
    return text.replace("256999999.99999997", "about 250M").replace("2025-01-15", "Q1 2025")


def test_unreadable_cells_are_reported_at_once_with_row_column_and_the_skip_line(tmp_path):
    args = _orbit(tmp_path, csv_edit=_unreadable)
    data = args[1]
    result = CliRunner().invoke(cli, ["build", *args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == (
        f"{data}:20:13: row 4, column 'Parameters': cannot read 'about 250M' as count: 'about 250M' is not a number; "
        "if the cell cannot be read, acknowledge it under 'skip': - {row: 4, column: Parameters, reason: WHY}\n"
        f"{data}:20:13: row 5, column 'Publication date': cannot read 'Q1 2025' as date: "
        "'Q1 2025' is not a date; write YYYY-MM-DD, YYYY-MM or YYYY; "
        "if the cell cannot be read, acknowledge it under 'skip': - {row: 5, column: Publication date, reason: WHY}\n"
        "2 problems in the data\n")
    assert not (tmp_path / "out").exists()


def test_the_suggested_skip_lines_acknowledge_the_cells_and_the_rest_is_imported(tmp_path):
    skips = ("    skip:\n"
             "      - {row: 4, column: Parameters, reason: a range in words}\n"
             "      - {row: 5, column: Publication date, reason: a quarter}\n")
    args = _orbit(tmp_path, csv_edit=_unreadable, data_edit=lambda text: text.replace("    columns:\n", skips + "    columns:\n"))
    result = CliRunner().invoke(cli, ["build", *args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["query", "SELECT ?p { entity:vega-large-v2 ?p [] } ORDER BY ?p",
                                      "--export", str(tmp_path / "out"), "--format", "csv"])
    kg_ = "https://w3id.org/ai-race-kg/ontology#"
    assert result.output.splitlines()[1:] == [  # no parameterCount: the skipped cell gives no claim
        "http://purl.org/dc/terms/identifier", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "http://www.w3.org/2000/01/rdf-schema#label", f"{kg_}developedBy", f"{kg_}developerCountry", f"{kg_}releaseDate"]


def test_a_skip_that_names_a_readable_or_absent_cell_is_stale(tmp_path):
    skips = ("    skip:\n"
             "      - {row: 4, column: Parameters, reason: was unreadable}\n"
             "      - {row: 9, column: Parameters, reason: no such row}\n"
             "      - {row: 2, column: Size, reason: no such column}\n"
             "      - {row: 2, column: Parameters notes, reason: a column the mapping does not import}\n"
             "      - {row: 3, column: Parameters, reason: an empty cell}\n")
    args = _orbit(tmp_path, data_edit=lambda text: text.replace("    columns:\n", skips + "    columns:\n"))
    data = args[1]
    result = CliRunner().invoke(cli, ["validate", *args, "--no-shacl"])
    assert result.exit_code == 1
    assert result.output == (
        f"{data}:22:9: stale skip: row 4, column 'Parameters' ('256999999.99999997') is readable; remove this skip\n"
        f"{data}:23:9: stale skip: orbit/models.csv has only 6 rows; remove this skip\n"
        f"{data}:24:9: stale skip: there is no column 'Size' in orbit/models.csv; remove this skip\n"
        f"{data}:25:9: stale skip: the mapping does not import column 'Parameters notes'; remove this skip\n"
        f"{data}:26:9: stale skip: row 3, column 'Parameters' is empty; remove this skip\n"
        "5 problems in the data\n")


def test_two_names_that_make_one_id_are_a_problem_with_the_crosswalk_line(tmp_path):
    args = _orbit(tmp_path, csv_edit=lambda text: text.replace("Zed Corp", "Nova-AI"))
    result = CliRunner().invoke(cli, ["validate", *args, "--no-shacl"])
    assert result.exit_code == 1
    assert result.output == (
        f"{args[1]}:20:13: row 5, column 'Organization': 'Nova-AI' and 'Nova AI' both make the id 'nova-ai'; "
        "give 'Nova-AI' an id of its own: add to the crosswalk - {name: Nova-AI, new: Organization, id: nova-ai-2}\n"
        "1 problem in the data\n")
    fixed = _orbit(tmp_path / "fixed", csv_edit=lambda text: text.replace("Zed Corp", "Nova-AI"),
                   data_edit=lambda text: text + "  - {name: Nova-AI, new: Organization, id: nova-ai-2}\n")
    result = CliRunner().invoke(cli, ["validate", *fixed, "--no-shacl"])
    assert result.exit_code == 0, result.output


def test_a_name_whose_id_a_curated_entity_has_is_a_problem_naming_the_row(tmp_path):
    args = _orbit(tmp_path, data_edit=lambda text: text.replace("{id: lyra, type: Model, name: Lyra}",
                                                                  "{id: lyra, type: Model, name: Lyra}\n  - {id: sylvania, type: Country, name: Sylvania}"))
    result = CliRunner().invoke(cli, ["validate", *args, "--no-shacl"])
    assert result.exit_code == 1
    assert result.output == (
        f"{args[1]}:21:13: row 4, column 'Country': 'Sylvania' has no crosswalk decision and its id 'sylvania' is taken "
        "by a curated entity; add to the crosswalk 'name: Sylvania' with 'entity: sylvania' if it is that entity, or 'new: TYPE'\n"
        "1 problem in the data\n")
