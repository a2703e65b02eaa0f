"""The facts users ask about most, as SPARQL over the built graph, with exact rows.

Each query reads the statement nodes (kg:Claim) so that every version of a
fact comes back with the article that states it; rows are simplified to
short strings: entity ids, source ids, plain literal values.
"""
from __future__ import annotations

import pytest

from kg.graph.store import sparql_prologue
from kg.graph.terms import DEFAULT_BASE


def _short(term) -> str | None:
    if term is None:
        return None
    value = term.value
    for prefix in ("entity/", "source/"):
        if value.startswith(DEFAULT_BASE + prefix):
            return value[len(DEFAULT_BASE + prefix):]
    if value.startswith("https://w3id.org/ai-race-kg/ontology#"):
        return value.split("#", 1)[1]
    return value


def _rows(store, query: str) -> list[tuple]:
    solutions = store.query(sparql_prologue() + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [tuple(_short(solution[name]) for name in names) for solution in solutions]


def test_training_hardware_of_deepseek_v3_by_source(store):
    rows = _rows(store, """
        SELECT ?property ?hardware ?source WHERE {
          VALUES ?property { kg:trainedOn kg:trainingChipMaker }
          ?claim kg:subject entity:deepseek-v3 ; kg:property ?property ; kg:value ?hardware ;
                 prov:wasDerivedFrom/oa:hasSource ?source .
        } ORDER BY ?property ?hardware ?source""")
    assert rows == [
        ("trainedOn", "nvidia-h800", "a000"),
        ("trainedOn", "nvidia-h800", "a001"),
        ("trainedOn", "nvidia-h800", "a002"),
        ("trainedOn", "nvidia-h800", "a004"),
        ("trainedOn", "nvidia-h800", "epoch-notable-ai-models"),
        ("trainingChipMaker", "nvidia", "a000"),
        ("trainingChipMaker", "nvidia", "a003"),
    ]


def test_reported_cost_of_deepseek_v3_by_source_with_qualifiers(store):
    rows = _rows(store, """
        SELECT ?source ?amount ?currency ?approximate ?upperBound ?quote WHERE {
          ?claim kg:subject entity:deepseek-v3 ; kg:property kg:developmentCost ; kg:value ?value ;
                 prov:wasDerivedFrom ?evidence .
          ?value schema:value ?amount ; schema:currency ?currency .
          OPTIONAL { ?claim kg:approximate ?approximate }
          OPTIONAL { ?claim kg:upperBound ?upperBound }
          ?evidence oa:hasSource ?source ; oa:hasSelector [ a kg:QuoteSelector ; oa:exact ?quote ] .
        } ORDER BY ?source""")
    assert rows == [
        ("a000", "5600000", "USD", None, None, "DeepSeek reportedly developed its model for a mere $5.6 million"),
        ("a001", "6000000", "USD", None, None, "The startup managed to develop DeepSeek V3 with just $6 million"),
        ("a002", "6000000", "USD", None, "true", "cost under $6 million"),
        ("a003", "6000000", "USD", "true", None, "they needed around US$6 million in raw computing power"),
        ("a004", "6000000", "USD", None, "true", "With a budget of less than $6 million, DeepSeek managed to develop an AI model V3"),
    ]


def test_who_founded_deepseek_with_the_deprecated_variant(store):
    rows = _rows(store, """
        SELECT ?founder ?name ?rank ?reason ?source WHERE {
          ?claim kg:subject entity:deepseek ; kg:property kg:foundedBy ; kg:value ?founder ; kg:rank ?rank ;
                 prov:wasDerivedFrom/oa:hasSource ?source .
          ?founder rdfs:label ?name .
          OPTIONAL { ?claim kg:rankReason ?reason }
        } ORDER BY ?founder""")
    assert rows == [
        ("liang-wang", "Liang Wang", "DeprecatedRank",
         "The one other article that names DeepSeek's founder (a002) calls him Liang WenFeng, which is his name; \"Liang Wang\" appears to be a misspelling.", "a000"),
        ("liang-wenfeng", "Liang Wenfeng", "NormalRank", None, "a002"),
    ]
    # The direct triple keeps only the founder that is not deprecated.
    assert _rows(store, "SELECT ?f WHERE { entity:deepseek kg:foundedBy ?f }") == [("liang-wenfeng",)]


def test_what_us_export_controls_restrict_whom_they_target_and_who_issued_them(store):
    rows = _rows(store, """
        SELECT ?property ?value ?context ?source WHERE {
          VALUES ?property { kg:restricts kg:issuedBy kg:targets }
          ?claim kg:subject entity:us-chip-export-controls ; kg:property ?property ; kg:value ?value ;
                 prov:wasDerivedFrom/oa:hasSource ?source .
          OPTIONAL { ?claim kg:context ?context }
        } ORDER BY ?property ?value ?source""")
    assert rows == [
        ("issuedBy", "biden-administration", None, "a004"),
        ("issuedBy", "us-government", None, "a000"),
        ("issuedBy", "us-government", None, "a001"),
        ("issuedBy", "us-government", None, "a002"),
        ("issuedBy", "us-government", None, "a003"),
        ("restricts", "nvidia", "the sale of powerful chips such as those Nvidia produces", "a003"),
        ("restricts", "nvidia-h100", None, "a002"),
        ("restricts", "nvidia-h100", None, "a004"),
        ("targets", "china", None, "a000"),
        ("targets", "china", None, "a001"),
        ("targets", "china", None, "a002"),
        ("targets", "china", None, "a003"),
        ("targets", "china", None, "a004"),
    ]


def test_new_chip_regulations_of_the_biden_administration(store):
    rows = _rows(store, """
        SELECT ?policy ?property ?value WHERE {
          ?policy a kg:Policy ; kg:issuedBy entity:biden-administration ; ?property ?value .
          FILTER(?property IN (kg:issuedBy, kg:targets))
        } ORDER BY ?policy ?property ?value""")
    assert rows == [
        ("biden-chip-regulations", "issuedBy", "biden-administration"),
        ("biden-chip-regulations", "targets", "china"),
        ("us-chip-export-controls", "issuedBy", "biden-administration"),
        ("us-chip-export-controls", "issuedBy", "us-government"),
        ("us-chip-export-controls", "targets", "china"),
    ]


def test_who_backs_and_launched_the_stargate_project(store):
    rows = _rows(store, """
        SELECT ?property ?actor ?name ?type ?source WHERE {
          VALUES ?property { kg:backedBy kg:launchedBy }
          entity:stargate-project ?property ?actor .
          ?actor rdfs:label ?name ; a ?type .
          FILTER(STRSTARTS(STR(?type), STR(kg:)) && ?type NOT IN (kg:Actor, kg:Organization, kg:InvestmentFirm, kg:Place))
          ?claim kg:subject entity:stargate-project ; kg:property ?property ; kg:value ?actor ;
                 prov:wasDerivedFrom/oa:hasSource ?source .
        } ORDER BY ?property ?actor""")
    assert rows == [
        ("backedBy", "mgx", "MGX", "SovereignWealthFund", "a001"),
        ("backedBy", "openai", "OpenAI", "Lab", "a001"),
        ("backedBy", "softbank", "SoftBank", "Company", "a001"),
        ("launchedBy", "united-states", "United States", "Country", "a001"),
    ]
    figures = _rows(store, """
        SELECT ?investment ?currency ?jobs WHERE {
          entity:stargate-project kg:plannedInvestment [ schema:value ?investment ; schema:currency ?currency ] ;
                                  kg:jobsCreated ?jobs .
        }""")
    assert figures == [("500000000000", "USD", "100000")]


@pytest.mark.parametrize("model, expected", [
    ("deepseek-v3", [
        ("claude-3.5", "NormalRank", "a000"),
        ("claude-3.5-sonnet", "NormalRank", "a002"),
        ("gpt-4", "NormalRank", "a000"),
        ("gpt-4o", "NormalRank", "a001"),
        ("gpt-4o", "NormalRank", "a002"),
        ("llama", "NormalRank", "a000"),
        ("llama", "NormalRank", "a001"),
        ("llama-3.1", "NormalRank", "a002"),
    ]),
    ("deepseek-r1", [
        ("gpt-1", "DeprecatedRank", "a000"),
        ("openai-o1", "NormalRank", "a001"),
        ("openai-o1", "NormalRank", "a002"),
    ]),
])
def test_which_models_deepseek_outperformed_per_source(store, model, expected):
    rows = _rows(store, f"""
        SELECT ?beaten ?rank ?source WHERE {{
          ?claim kg:subject entity:{model} ; kg:property kg:outperformed ; kg:value ?beaten ; kg:rank ?rank ;
                 prov:wasDerivedFrom/oa:hasSource ?source .
        }} ORDER BY ?beaten ?source""")
    assert rows == expected


def test_release_dates_with_the_curators_reading_of_implied_dates(store):
    rows = _rows(store, """
        SELECT DISTINCT ?model ?date ?datatype ?context ?source WHERE {
          ?claim kg:subject ?model ; kg:property kg:releaseDate ; kg:value ?date ;
                 prov:wasDerivedFrom/oa:hasSource ?source .
          FILTER(?model IN (entity:deepseek-v3, entity:deepseek-r1))
          BIND(STRAFTER(STR(DATATYPE(?date)), "#") AS ?datatype)
          OPTIONAL { ?claim kg:context ?context }
        } ORDER BY ?model ?date DESC(?context) ?source""")
    assert rows == [
        ("deepseek-r1", "2025-01-20", "date",
         "curator's reading of 'On Monday' in an article published on Friday 2025-01-24",
         "a002"),
        ("deepseek-r1", "2025-01-20", "date", None, "epoch-notable-ai-models"),
        ("deepseek-v3", "2024-12", "gYearMonth", None, "a002"),
        ("deepseek-v3", "2024-12-24", "date", None, "epoch-notable-ai-models"),
        ("deepseek-v3", "2024-12-26", "date",
         "curator's reading of 'the day after Christmas'; the article gives no year",
         "a003"),
        ("deepseek-v3", "2025-01-24", "date", None, "a001"),
    ]


def test_what_people_said_about_deepseek(store):
    rows = _rows(store, """
        SELECT ?person ?source (COUNT(?claim) AS ?statements) WHERE {
          ?claim kg:property kg:said ; kg:subject ?person ; kg:about entity:deepseek ;
                 prov:wasDerivedFrom/oa:hasSource ?source .
        } GROUP BY ?person ?source ORDER BY ?person ?source""")
    assert rows == [
        ("andrej-karpathy", "a001", "1"),
        ("aravind-srinivas", "a001", "1"),
        ("aravind-srinivas", "a002", "1"),
        ("jeffrey-ding", "a003", "1"),
        ("reuven-cohen", "a003", "2"),
        ("satya-nadella", "a001", "1"),
        ("satya-nadella", "a002", "1"),
        ("zihan-wang", "a003", "1"),
    ]


def test_h800_and_h100_specifications_side_by_side(store):
    rows = _rows(store, """
        SELECT ?property ?h800 ?h100 WHERE {
          VALUES ?property { kg:memoryBandwidth kg:fp64Performance kg:fp8Performance kg:thermalDesignPower }
          entity:nvidia-h800 ?property [ schema:value ?a ; schema:unitText ?ua ] .
          entity:nvidia-h100 ?property [ schema:value ?b ; schema:unitText ?ub ] .
          BIND(CONCAT(STR(?a), " ", ?ua) AS ?h800)
          BIND(CONCAT(STR(?b), " ", ?ub) AS ?h100)
        } ORDER BY ?property""")
    assert rows == [
        ("fp64Performance", "30 TFLOPS", "60 TFLOPS"),
        ("fp8Performance", "240 TFLOPS", "480 TFLOPS"),
        ("memoryBandwidth", "3.2 TB/s", "4.8 TB/s"),
        ("thermalDesignPower", "700 W", "700 W"),
    ]
