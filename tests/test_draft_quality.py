"""kg draft on invented articles: what is an actor, who a sentence is about, how long a quote is."""
from __future__ import annotations

import hashlib

import yaml
from click.testing import CliRunner

from kg.cli.main import cli

OTHER = ("Nvidia sells chips to many labs that need compute. Tobias Wren spoke about chips at a fair.\n"
         "Nvidia is based in the United States.\n")

ENTITIES = (
    "entities:\n"
    "  - {id: nvidia, type: Company, name: Nvidia}\n"
    "  - {id: tobias-wren, type: Person, name: Tobias Wren}\n"
    "  - {id: basalt-x9, type: Chip, name: Basalt X9}\n"
    "  - {id: united-states, type: Country, name: United States, aliases: [U.S.]}\n"
    "  - {id: kestrel-labs, type: Lab, name: Kestrel Labs}\n"
    "claims:\n"
    "  - subject: nvidia\n"
    "    property: basedIn\n"
    "    value: united-states\n"
    "    evidence:\n"
    "      - {source: a000, quote: Nvidia is based in the United States}\n"
)


def _draft(tmp_path, monkeypatch, text: str, title: str | None = None) -> dict:
    """Draft ``text`` as source a001 (a000 is another article), and read the draft back."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = []
    for source, name, body in (("a000", "000_other.txt", OTHER), ("a001", "001_new.txt", text)):
        (corpus / name).write_text(body, encoding="utf-8")
        sha = hashlib.sha256(body.encode()).hexdigest()
        extra = f", title: {title!r}" if title and source == "a001" else ""
        records.append(f"  - {{id: {source}, file: {name}, sha256: {sha}, kind: news{extra}}}\n")
    (tmp_path / "data.yaml").write_text("sources:\n" + "".join(records) + ENTITIES, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["draft", "a001", "-o", "-", "--data", "data.yaml", "--corpus", "corpus"])
    assert result.exit_code == 0, result.output
    return yaml.safe_load(result.stdout) or {}


def _entity_ids(draft: dict) -> list[str]:
    return [e["id"] for e in draft.get("entities") or []]


def _claims(draft: dict) -> list[tuple]:
    return [(c["subject"], c["property"], c["value"], c["evidence"][0]["quote"]) for c in draft.get("claims") or []]


def test_a_dateline_is_not_an_entity(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch, "HALDEN \u2014 Kestrel Labs trained its models on Basalt X9 chips.\n")
    assert _entity_ids(draft) == []


def test_a_date_written_short_is_not_an_entity(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch, "On Feb 3 Kestrel Labs said it trained its models on Basalt X9 chips.\n")
    assert _entity_ids(draft) == []


def test_a_lone_capital_letter_is_not_an_entity(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch, "Kestrel Labs said a chip - A new one - would follow the Basalt X9.\n")
    assert _entity_ids(draft) == []


def test_a_multi_word_company_the_title_names_is_proposed(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch, "Osprey Compute bought Basalt X9 chips from Nvidia last year.\n",
                   title="Osprey Compute opens a chip plant")
    assert [(e["id"], e["name"]) for e in draft["entities"]] == [("osprey-compute", "Osprey Compute")]


def test_an_initial_keeps_no_full_stop_in_the_proposed_id(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch, "Chris V. Nicholson praised the Basalt X9 made by Nvidia.\n")
    assert _entity_ids(draft) == ["chris-v-nicholson"]


def test_the_subject_is_the_sentence_subject_not_an_actor_in_an_insert(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch, "Osprey Compute, a supplier to Nvidia, was founded by Tobias Wren.\n")
    assert _claims(draft) == [
        ("osprey-compute", "?", "nvidia", "Osprey Compute, a supplier to Nvidia"),
        ("osprey-compute", "foundedBy", "tobias-wren", "Osprey Compute, a supplier to Nvidia, was founded by Tobias Wren"),
    ]


def test_an_active_verb_makes_the_second_actor_the_subject_of_a_by_property(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch, "Kestrel Labs launched Finch-3 in the spring.\n")
    assert _claims(draft) == [("finch-3", "launchedBy", "kestrel-labs", "Kestrel Labs launched Finch-3 in the spring")]


def test_the_quote_is_the_shortest_clause_holding_both_actors(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch,
                   "Analysts told reporters on Tuesday that Nvidia designs the Basalt X9 in its own labs.\n")
    assert _claims(draft) == [("nvidia", "?", "basalt-x9", "Nvidia designs the Basalt X9 in its own labs")]


def test_an_abbreviation_does_not_end_the_sentence(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch, "Kestrel Labs competes with the U.S. chip firm Nvidia.\n")
    assert ("nvidia", "basedIn", "united-states", "U.S. chip firm Nvidia") in _claims(draft)
    assert ("kestrel-labs", "competesWith", "nvidia", "Kestrel Labs competes with the U.S. chip firm Nvidia") in _claims(draft)


def test_two_new_actors_are_paired_when_one_describes_the_other(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch, "Ines Dahl, a professor at Halden University, tested the Basalt X9.\n")
    assert ("ines-dahl", "professorAt", "halden-university", "Ines Dahl, a professor at Halden University") in _claims(draft)


def test_the_company_stands_for_no_one_when_two_companies_came_before(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch,
                   "Kestrel Labs trained its model on chips from Nvidia. The company also sells the Basalt X9.\n")
    assert [c for c in _claims(draft) if "The company" in c[3]] == []


def test_a_handle_is_written_as_a_quoted_name(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch, "The analyst @kestrelwatch said Nvidia made the Basalt X9.\n")
    assert [(e["id"], e["name"]) for e in draft["entities"]] == [("kestrelwatch", "@kestrelwatch")]


def test_the_words_of_an_insert_link_no_actor_before_it_to_one_after_it(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch,
                   "Osprey Compute, a Norwegian startup founded by Tobias Wren, bought its chips from Nvidia.\n")
    assert _claims(draft) == [
        ("osprey-compute", "foundedBy", "tobias-wren", "Osprey Compute, a Norwegian startup founded by Tobias Wren"),
        ("osprey-compute", "boughtChipsFrom", "nvidia",
         "Osprey Compute, a Norwegian startup founded by Tobias Wren, bought its chips from Nvidia"),
    ]


def test_an_appositive_is_read_on_its_own_words(tmp_path, monkeypatch):
    draft = _draft(tmp_path, monkeypatch, "Nvidia was backed by Fjord Capital, a venture firm based in Oslo.\n")
    assert ("fjord-capital", "basedIn", "oslo", "Fjord Capital, a venture firm based in Oslo") in _claims(draft)
