"""Canned queries over the real data, and the query library."""
from __future__ import annotations

import pytest

from kg.errors import KGError
from kg.graph.store import prefixes
from kg.bind import bind
from kg.query import QuerySyntaxError, canned_queries, query_form, resolve_query, run_local
from kg.report.profile import entities
from kg.report.results import Shortener

CANNED = sorted(canned_queries())


def rows(store, name: str, **bindings) -> list[tuple[str, ...]]:
    result = run_local(store, bind(canned_queries()[name].text, bindings, lambda: entities(store)))
    names = [v.value for v in result.variables]
    short = Shortener(prefixes())
    return [tuple(short.term(solution[n]) for n in names) for solution in result]


def test_every_canned_query_has_a_description_and_runs(store):
    assert len(CANNED) >= 12
    for name in CANNED:
        query = canned_queries()[name]
        assert query.description.endswith((".", "?")), name
        assert query_form(query.text) == "SELECT"
        assert rows(store, name), f"{name} returns no rows on the real data"


@pytest.mark.parametrize("name", CANNED)
def test_canned_query_rows_are_distinct_and_ordered(store, name):
    first, second = rows(store, name), rows(store, name)
    assert first == second
    assert len(set(first)) == len(first)


# Only DeepSeek-V3's rows (and 01.AI's cost) are pinned: the rows of the other
# models the dataset lists grow as more of it is imported.
def test_trained_on(store):
    assert [row for row in rows(store, 'trained-on') if row[0] == 'DeepSeek-V3'] == [
        ('DeepSeek-V3', 'Nvidia H800', '', 'normal', 'source:a000', '', 'DeepSeek cleverly circumvented these limitations by utilizing less performant Nvidia H800 GPUs'),
        ('DeepSeek-V3', 'Nvidia H800', '', 'normal', 'source:a001', '', 'efficient training on Nvidia H800 GPUs'),
        ('DeepSeek-V3', 'Nvidia H800', '', 'normal', 'source:a002', '', 'utilizing reduced-capability chips from Nvidia known as H800s'),
        ('DeepSeek-V3', 'Nvidia H800', '', 'normal', 'source:a004', '', 'leveraging older Nvidia H800 chips'),
        ('DeepSeek-V3', 'Nvidia H800', '', 'normal', 'source:epoch-notable-ai-models', "row 94, column 'Training hardware'", 'NVIDIA H800 SXM5'),
    ]


def test_model_costs(store):
    # Epoch's figure is in 2023 dollars and says so; the articles' are nominal.
    assert [row for row in rows(store, 'model-costs') if row[0] in ('01.AI', 'DeepSeek-V3')] == [
        ('01.AI', '3000000', 'USD', '', 'normal', 'source:a002', '', 'his startup, 01.ai, which claims to have trained its advances using only $3 million'),
        ('DeepSeek-V3', '5390000', 'USD', 'price year: 2023', 'normal', 'source:epoch-notable-ai-models', "row 94, column 'Training compute cost (2023 USD)'", '5390000.0'),
        ('DeepSeek-V3', '5600000', 'USD', '', 'normal', 'source:a000', '', 'DeepSeek reportedly developed its model for a mere $5.6 million'),
        ('DeepSeek-V3', '6000000', 'USD', '', 'normal', 'source:a001', '', 'The startup managed to develop DeepSeek V3 with just $6 million'),
        ('DeepSeek-V3', '6000000', 'USD', 'approximate', 'normal', 'source:a003', '', 'they needed around US$6 million in raw computing power'),
        ('DeepSeek-V3', '6000000', 'USD', 'upper bound', 'normal', 'source:a002', '', 'cost under $6 million'),
        ('DeepSeek-V3', '6000000', 'USD', 'upper bound', 'normal', 'source:a004', '', 'With a budget of less than $6 million, DeepSeek managed to develop an AI model V3'),
    ]


def test_release_dates_include_the_datasets_day(store):
    assert [row for row in rows(store, 'release-dates') if row[0] == 'DeepSeek-V3'] == [
        ('DeepSeek-V3', '2024-12', '', 'normal', 'source:a002', '', 'made headlines in December by introducing a free, open-source large-language model'),
        ('DeepSeek-V3', '2024-12-24', '', 'normal', 'source:epoch-notable-ai-models', "row 94, column 'Publication date'", '2024-12-24'),
        ('DeepSeek-V3', '2024-12-26', "context: curator's reading of 'the day after Christmas'; the article gives no year", 'normal', 'source:a003', '', 'The day after Christmas, a small Chinese startup called DeepSeek unveiled a new artificial intelligence system'),
        ('DeepSeek-V3', '2025-01-24', '', 'normal', 'source:a001', '', 'DeepSeek V3, introduced on January 24, 2025'),
    ]


def test_lab_models_include_the_datasets_cell(store):
    assert [row for row in rows(store, 'lab-models') if row[1] == 'DeepSeek-V3'][-1] == (
        'DeepSeek', 'DeepSeek-V3', '', 'normal', 'source:epoch-notable-ai-models', "row 94, column 'Organization'", 'DeepSeek')


def test_a_disagreement_with_a_dataset_on_its_side(store):
    # The dataset's side keeps its price year, apart from the articles' nominal dollars.
    assert [row for row in rows(store, 'disagreements') if row[1] == 'DeepSeek-V3: development cost'][:2] == [
        ('value', 'DeepSeek-V3: development cost', '1', 'DeepSeek-V3', 'developmentCost', '5,390,000 USD', 'price year: 2023', 'normal', '', 'source:epoch-notable-ai-models', "row 94, column 'Training compute cost (2023 USD)'", '5390000.0'),
        ('value', 'DeepSeek-V3: development cost', '2', 'DeepSeek-V3', 'developmentCost', '5,600,000 USD', '', 'normal', '', 'source:a000', '', 'DeepSeek reportedly developed its model for a mere $5.6 million'),
    ]


def test_actors_leave_out_the_sources(store):
    assert {row[0] for row in rows(store, 'actors')} & {'Article', 'Dataset'} == set()


def test_founders_with_spellings(store):
    assert rows(store, 'founders') == [
        ('01.AI', 'Kai-Fu Lee', '', 'normal', '', 'source:a000', 'Kai-Fu Lee’s startup, 01.AI'),
        ('01.AI', 'Kai-Fu Lee', '', 'normal', '', 'source:a002', 'Kai-Fu Lee has highlighted his startup, 01.ai'),
        ('DeepSeek', 'Liang Wang', '', 'deprecated', 'The one other article that names DeepSeek\'s founder (a002) calls him Liang WenFeng, which is his name; "Liang Wang" appears to be a misspelling.', 'source:a000', 'its founder Liang Wang'),
        ('DeepSeek', 'Liang Wenfeng', '', 'normal', '', 'source:a002', 'Not much is known about DeepSeek or its founder, Liang WenFeng'),
    ]


def test_outperformed(store):
    assert rows(store, 'outperformed') == [
        ("ByteDance's updated model", 'OpenAI o1', 'context: a key benchmark, as ByteDance asserts', 'normal', '', 'source:a002', "announced an update to its model that it asserts outperforms OpenAI's o1 in a key benchmark"),
        ('DeepSeek-R1', 'GPT-1', 'context: some third-party tests', 'deprecated', "OpenAI's reasoning model is o1, as the two other articles that say what R1 outperformed (a001, a002) name it; GPT-1 is OpenAI's 2018 model and is not cutting-edge.", 'source:a000', 'further outperformed OpenAI’s cutting-edge GPT-1 in some third-party tests'),
        ('DeepSeek-R1', 'OpenAI o1', '', 'normal', '', 'source:a001', "outperformed OpenAI's o1 model across various benchmarks"),
        ('DeepSeek-R1', 'OpenAI o1', '', 'normal', '', 'source:a002', "demonstrated better performance than OpenAI's most recent offering, o1"),
        ('DeepSeek-V3', 'Claude 3.5', '', 'normal', '', 'source:a000', 'It even outperformed Meta’s Llama, OpenAI’s GPT-4, and Anthropic’s Claude 3.5 in certain accuracy tests'),
        ('DeepSeek-V3', 'Claude 3.5 Sonnet', '', 'normal', '', 'source:a002', "Independent benchmark tests revealed that DeepSeek's model has outperformed notable competitors such as Meta's Llama 3.1, OpenAI's GPT-4o, and Anthropic's Claude Sonnet 3.5 across various tasks"),
        ('DeepSeek-V3', 'GPT-4', '', 'normal', '', 'source:a000', 'It even outperformed Meta’s Llama, OpenAI’s GPT-4, and Anthropic’s Claude 3.5 in certain accuracy tests'),
        ('DeepSeek-V3', 'GPT-4o', '', 'normal', '', 'source:a001', "capable of surpassing its American counterparts, namely OpenAI's GPT-4o and Meta's Llama"),
        ('DeepSeek-V3', 'GPT-4o', '', 'normal', '', 'source:a002', "DeepSeek's model has outperformed notable competitors such as Meta's Llama 3.1, OpenAI's GPT-4o"),
        ('DeepSeek-V3', 'Llama', '', 'normal', '', 'source:a000', 'It even outperformed Meta’s Llama, OpenAI’s GPT-4, and Anthropic’s Claude 3.5 in certain accuracy tests'),
        ('DeepSeek-V3', 'Llama', '', 'normal', '', 'source:a001', "capable of surpassing its American counterparts, namely OpenAI's GPT-4o and Meta's Llama"),
        ('DeepSeek-V3', 'Llama 3.1', '', 'normal', '', 'source:a002', "DeepSeek's model has outperformed notable competitors such as Meta's Llama 3.1"),
    ]


def test_policy_restrictions(store):
    assert rows(store, 'policy-restrictions') == [
        ("Biden administration's new AI chip regulations", 'targets', 'China', "context: China's access to advanced AI chips through other countries", 'normal', 'source:a003', 'Recently, the Biden administration issued new regulations aimed at curbing China’s access to advanced AI chips through other countries'),
        ("Biden administration's new AI chip regulations", 'issuedBy', 'Biden administration', '', 'normal', 'source:a003', 'Recently, the Biden administration issued new regulations aimed at curbing China’s access to advanced AI chips through other countries'),
        ("China's regulations on AI", 'issuedBy', 'China', '', 'normal', 'source:a000', 'Chinese AI models are often required to adhere to strict guidelines set by the state'),
        ("China's regulations on AI", 'issuedBy', 'China', '', 'normal', 'source:a003', 'China’s strict regulations on AI'),
        ('US chip export controls', 'restricts', 'Nvidia', 'context: the sale of powerful chips such as those Nvidia produces', 'normal', 'source:a003', 'it is working to limit the sale of powerful chips, such as those produced by Silicon Valley firm Nvidia, to China and other rivals'),
        ('US chip export controls', 'restricts', 'Nvidia H100', '', 'normal', 'source:a002', "which prevent China from accessing advanced chips like Nvidia's H100s"),
        ('US chip export controls', 'restricts', 'Nvidia H100', '', 'normal', 'source:a004', 'By restricting access to advanced chips like Nvidia’s H100'),
        ('US chip export controls', 'targets', 'China', '', 'normal', 'source:a000', 'The US government has imposed strict semiconductor restrictions on China'),
        ('US chip export controls', 'targets', 'China', '', 'normal', 'source:a001', 'exports controls meant to stifle progress and innovation coming from China'),
        ('US chip export controls', 'targets', 'China', '', 'normal', 'source:a002', "which prevent China from accessing advanced chips like Nvidia's H100s"),
        ('US chip export controls', 'targets', 'China', '', 'normal', 'source:a003', 'The US government has sought to keep advanced chips away from Chinese companies'),
        ('US chip export controls', 'targets', 'China', '', 'normal', 'source:a004', 'imposing export bans on advanced chips and equipment to impede AI development in China'),
        ('US chip export controls', 'issuedBy', 'Biden administration', '', 'normal', 'source:a004', 'The Biden administration responded to the rapid advancements in Chinese AI development by imposing export bans on advanced chips'),
        ('US chip export controls', 'issuedBy', 'US government', '', 'normal', 'source:a000', 'The US government has imposed strict semiconductor restrictions on China'),
        ('US chip export controls', 'issuedBy', 'US government', '', 'normal', 'source:a001', 'strict semiconductor restrictions imposed by the U.S. government'),
        ('US chip export controls', 'issuedBy', 'US government', '', 'normal', 'source:a002', 'strict semiconductor limitations imposed by the U.S. government'),
        ('US chip export controls', 'issuedBy', 'US government', '', 'normal', 'source:a003', 'As the US government strives to maintain its lead in the global AI race, it is working to limit the sale of powerful chips'),
    ]


def test_backers(store):
    assert rows(store, 'backers') == [
        ('Stargate Project', 'backedBy', 'MGX', '', 'normal', 'source:a001', 'the Emirati sovereign wealth fund MGX'),
        ('Stargate Project', 'backedBy', 'OpenAI', '', 'normal', 'source:a001', 'backed by partnerships involving OpenAI and various international stakeholders'),
        ('Stargate Project', 'backedBy', 'SoftBank', '', 'normal', 'source:a001', 'including Japan’s Softbank and the Emirati sovereign wealth fund MGX'),
        ('Stargate Project', 'plannedInvestment', '500,000,000,000 USD', '', 'normal', 'source:a001', 'with ambitions to construct $500 billion worth of AI infrastructure'),
    ]


def test_roles(store):
    assert rows(store, 'roles') == [
        ('Aravind Srinivas', 'ceoOf', 'Perplexity', '', 'normal', 'source:a001', 'Perplexity CEO Aravind Srinivas noted'),
        ('Aravind Srinivas', 'ceoOf', 'Perplexity', '', 'normal', 'source:a002', 'As per Perplexity CEO Aravind Srinivas'),
        ('Chetan Puttagunta', 'partnerAt', 'Benchmark', '', 'normal', 'source:a002', 'Chetan Puttagunta, a partner at Benchmark'),
        ('Chris V. Nicholson', 'investorAt', 'Page One Ventures', '', 'normal', 'source:a003', 'Chris V. Nicholson, an investor from the venture capital firm Page One Ventures who focuses on AI technologies'),
        ('Eric Schmidt', 'ceoOf', 'Google', 'former', 'normal', 'source:a000', 'former Google CEO Eric Schmidt'),
        ('Ion Stoica', 'professorAt', 'University of California, Berkeley', '', 'normal', 'source:a003', 'Ion Stoica, a professor at the University of California, Berkeley'),
        ('Ion Stoica', 'worksFor', 'University of California', '', 'normal', 'source:a001', 'Experts like Ion Stoica from the University of California'),
        ('Ion Stoica', 'worksFor', 'University of California, Berkeley', '', 'normal', 'source:a003', 'Ion Stoica, a professor at the University of California, Berkeley'),
        ('Jeffrey Ding', 'professorAt', 'George Washington University', '', 'normal', 'source:a003', 'Jeffrey Ding, an assistant professor at George Washington University'),
        ('Satya Nadella', 'ceoOf', 'Microsoft', '', 'normal', 'source:a001', 'Microsoft CEO Satya Nadella'),
        ('Satya Nadella', 'ceoOf', 'Microsoft', '', 'normal', 'source:a002', 'According to Microsoft CEO Satya Nadella'),
        ('Zihan Wang', 'engineerAt', 'DeepSeek', 'context: involved in an earlier DeepSeek model', 'normal', 'source:a003', 'Zihan Wang, a computer engineer involved in an earlier DeepSeek model'),
    ]


def test_mentions_bound_to_one_actor(store):
    found = rows(store, "mentions", actor="satya-nadella")
    assert {row[0] for row in found} == {"entity:satya-nadella"}
    assert ("entity:satya-nadella", "source:a001", "subject", "Satya Nadella", "ceoOf", "Microsoft", "", "normal", "Microsoft CEO Satya Nadella") in found


def test_deprecated_claims_carry_reasons(store):
    found = rows(store, "deprecated")
    assert found and all(row[4] for row in found)


def test_resolve_query_kinds(tmp_path, monkeypatch):
    text, origin = resolve_query("trained-on")
    assert origin == "canned query 'trained-on'" and "kg:trainedOn" in text
    path = tmp_path / "q.rq"
    path.write_text("ASK {}", encoding="utf-8")
    assert resolve_query(str(path)) == ("ASK {}", str(path))
    assert resolve_query("SELECT * { ?s ?p ?o }") == ("SELECT * { ?s ?p ?o }", "query")
    with pytest.raises(KGError, match=r"no canned query or file named 'traned-on' \(did you mean 'trained-on'\?\)"):
        resolve_query("traned-on")


def test_query_form_skips_prologue_and_comments():
    assert query_form("# hi\nPREFIX ex: <http://e/#>\nBASE <http://e/>\n construct { } where { }") == "CONSTRUCT"
    with pytest.raises(KGError, match="must start with SELECT"):
        query_form("INSERT DATA { }")


def test_syntax_error_points_at_line_and_column(store):
    with pytest.raises(QuerySyntaxError) as info:
        run_local(store, "SELECT ?x WHERE {\n  ?x kg:trainedOn ?y\n  FILTR(?y)\n}")
    assert (info.value.line, info.value.col) == (3, 11)
    assert str(info.value).endswith("\n    FILTR(?y)\n            ^")


def test_bind_adds_values_clause():
    assert bind("SELECT * { ?actor ?p ?n }", {"actor": "entity:deepseek", "n": "42"}) == (
        "SELECT * { VALUES (?actor ?n) { (entity:deepseek 42) } ?actor ?p ?n }")
    with pytest.raises(KGError):
        bind("SELECT * {}", {"a b": "x"})
