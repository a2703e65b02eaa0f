"""Linked-data pages: every IRI minted under the base resolves to a page.

Browsers get an HTML profile (labels, neighbours, and each claim with the
quotes and sources behind it); RDF clients get Turtle or JSON-LD. The queries
run through the same worker pool, with the same time limit, as /sparql.
Everything that comes from the data is escaped.
"""
from __future__ import annotations

from html import escape

from kg.graph.terms import PATHS, PREFIXES
from kg.report import disagreement_views, evidence as cited

KG, RDFS, PROV, OA, DCT = PREFIXES["kg"], PREFIXES["rdfs"], PREFIXES["prov"], PREFIXES["oa"], PREFIXES["dct"]
RDF_TYPE = PREFIXES["rdf"] + "type"


def graph_query(iri: str) -> str:
    """Everything said about ``iri``, its claims and their evidence."""
    return f"""CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> . ?c ?cp ?co . ?e ?ep ?eo . ?sel ?sp ?so }}
WHERE {{
  {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }}
  UNION {{ ?c <{KG}subject> <{iri}> ; ?cp ?co }}
  UNION {{ ?c <{KG}subject> <{iri}> ; <{PROV}wasDerivedFrom> ?e . ?e ?ep ?eo }}
  UNION {{ ?c <{KG}subject> <{iri}> ; <{PROV}wasDerivedFrom>/<{OA}hasSelector> ?sel . ?sel ?sp ?so }}
}}"""


def profile_queries(iri: str) -> dict[str, str]:
    """SELECT queries whose rows make up the HTML profile."""
    label = f"<{RDFS}label>"
    return {
        "about": f"SELECT DISTINCT ?p ?o ?label WHERE {{ <{iri}> ?p ?o OPTIONAL {{ ?o {label} ?label }} }} ORDER BY ?p ?o",
        "incoming": f"""SELECT DISTINCT ?s ?p ?label WHERE {{ ?s ?p <{iri}>
            FILTER(?p NOT IN (<{KG}subject>, <{KG}value>, <{KG}about>)) OPTIONAL {{ ?s {label} ?label }} }} ORDER BY ?p ?s""",
        "claims": f"""SELECT DISTINCT ?claim ?prop ?value ?valueLabel ?rank ?reason ?quote ?source ?title ?cell ?column WHERE {{
            ?claim <{KG}subject> <{iri}> ; <{KG}property> ?prop ; <{KG}value> ?value .
            OPTIONAL {{ ?claim <{KG}rank> ?rank }} OPTIONAL {{ ?claim <{KG}rankReason> ?reason }}
            OPTIONAL {{ ?value {label} ?valueLabel }}
            OPTIONAL {{ ?claim <{PROV}wasDerivedFrom> ?e . {cited.pattern("?e")}
                       OPTIONAL {{ ?source <{DCT}title> ?title }} }}
        }} ORDER BY ?prop ?claim ?source ?cell ?quote""",
        "disagreements": disagreement_views.involving_query(iri),
        # The credit and licence of every dataset behind a fact the page shows.
        "credits": f"""SELECT DISTINCT ?source ?credit ?licence WHERE {{
            {{ ?claim <{KG}subject> <{iri}> }}
            UNION {{ ?d <{KG}involves> <{iri}> ; <{KG}hasSide> ?side . ?side <{KG}sideClaim> ?claim }}
            ?claim <{PROV}wasDerivedFrom> ?e . ?e <{OA}hasSource> ?source .
            ?source <{PREFIXES["schema"]}creditText> ?credit .
            OPTIONAL {{ ?source <{DCT}license> ?licence }}
        }} ORDER BY ?source ?credit ?licence""",
    }


def _short(iri: str, base: str) -> str:
    for name, ns in (("kg", KG), ("rdfs", RDFS), ("rdf", PREFIXES["rdf"]), *PREFIXES.items()):
        if iri.startswith(ns):
            return f"{name}:{iri[len(ns):]}"
    if iri.startswith(base):
        return iri[len(base):]
    return iri


def _source_id(row: dict) -> str:
    return _value(row.get("source")).rsplit("/", 1)[-1]


def _value(term: dict | None) -> str:
    return "" if term is None else term["value"]


class Page:
    """Turns a term into escaped HTML, linking IRIs under the base locally."""

    def __init__(self, base: str, prefix: str = "/"):
        self.base = base
        self.prefix = prefix

    def link(self, iri: str, label: str | None = None) -> str:
        text = escape(label or _short(iri, self.base))
        if iri.startswith(self.base) and iri[len(self.base):].split("/")[0] + "/" in PATHS.values():
            return f'<a href="{escape(self.prefix + iri[len(self.base):])}">{text}</a>'
        if iri.startswith(("http://", "https://")):
            return f'<a href="{escape(iri)}" rel="nofollow">{text}</a>'
        return text

    def term(self, term: dict | None, label: dict | None = None) -> str:
        if term is None:
            return ""
        if term["type"] == "uri":
            return self.link(term["value"], _value(label) or None)
        text = escape(term["value"])
        if term.get("xml:lang"):
            text += f' <small>@{escape(term["xml:lang"])}</small>'
        return text

    def render(self, iri: str, rows: dict[str, list[dict]]) -> str:
        about = rows["about"]
        title = next((_value(r.get("o")) for r in about if _value(r.get("p")) == RDFS + "label"), "") or _short(iri, self.base)
        kinds = [self.link(_value(r["o"])) for r in about if _value(r.get("p")) == RDF_TYPE]
        facts = "".join(
            f"<tr><th>{self.link(_value(r['p']))}</th><td>{self.term(r.get('o'), r.get('label'))}</td></tr>"
            for r in about if _value(r.get("p")) not in (RDFS + "label", RDF_TYPE)
        )
        incoming = "".join(
            f"<li>{self.term(r.get('s'), r.get('label'))} {self.link(_value(r['p']))} this</li>" for r in rows["incoming"]
        )
        credits = {_source_id(r): disagreement_views.credit_html(_value(r.get("credit")), _value(r.get("licence")))
                    for r in rows.get("credits", [])}
        claims: dict[str, list[dict]] = {}
        for row in rows["claims"]:
            claims.setdefault(_value(row["claim"]), []).append(row)
        claim_items = []
        for claim, group in claims.items():
            first = group[0]
            rank = _short(_value(first.get("rank")), self.base).removeprefix("kg:").removesuffix("Rank")
            reason = f" — {escape(_value(first.get('reason')))}" if first.get("reason") else ""
            quotes = "".join(
                disagreement_views.cell_html(
                    cited.Cited(_source_id(r), _value(r.get("quote")), _value(r.get("cell")), _value(r.get("column"))).as_dict(),
                    self.term(r.get("source"), r.get("title")), credits.get(_source_id(r), ""))
                if r.get("cell") else
                f"<blockquote>“{escape(_value(r.get('quote')))}”<footer>{self.term(r.get('source'), r.get('title'))}</footer></blockquote>"
                for r in group if r.get("quote")
            )
            claim_items.append(
                f'<li class="rank-{escape(rank.lower())}">{self.link(_value(first["prop"]))} '
                f"{self.term(first.get('value'), first.get('valueLabel'))} <small>({escape(rank)}{reason}; "
                f"{self.link(claim, 'claim')})</small>{quotes}</li>"
            )
        disputes = disagreement_views.html(disagreement_views.group(
            [{k: v["value"] for k, v in r.items() if v} for r in rows.get("disagreements", [])]), self.link, credits)
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="alternate" type="text/turtle" href="?format=ttl"><link rel="alternate" type="application/ld+json" href="?format=jsonld">
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}}
th{{text-align:left;padding-right:1em;vertical-align:top;font-weight:normal;color:#555}}
blockquote{{margin:.3em 0 .6em 1em;padding-left:.8em;border-left:3px solid #ccc;color:#333}}
footer{{font-size:.85em;color:#666}} .rank-deprecated{{color:#888;text-decoration:line-through}}
code{{font-size:.9em}}</style></head>
<body><p><a href="{escape(self.prefix)}">Home</a> · <a href="{escape(self.prefix)}query">SPARQL</a></p>
<h1>{escape(title)}</h1><p><code>{escape(iri)}</code> {" ".join(kinds)}</p>
<table>{facts}</table>
<h2>Claims ({len(claims)})</h2><ul>{"".join(claim_items) or "<li>none</li>"}</ul>
{disputes}
<h2>Referenced by</h2><ul>{incoming or "<li>nothing</li>"}</ul>
<p>As <a href="?format=ttl">Turtle</a> · <a href="?format=jsonld">JSON-LD</a></p>
</body></html>
"""


QUERY_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SPARQL query</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}
textarea{width:100%;height:14em;font:14px monospace}table{border-collapse:collapse;margin-top:1em}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}#status{color:#a00}</style></head>
<body><h1>SPARQL query</h1>
<p>Queries run against the union of all graphs. Endpoint: <code>sparql</code> (SPARQL 1.1 Protocol, read-only).</p>
<form id="form"><textarea id="query" name="query" spellcheck="false">PREFIX_BLOCK
SELECT ?entity ?label WHERE {
  ?entity a ?type ; rdfs:label ?label .
  FILTER(STRSTARTS(STR(?type), STR(kg:)))
} ORDER BY ?label LIMIT 50</textarea>
<p><button type="submit">Run</button> <span id="status"></span></p></form>
<div id="out"></div>
<script>
"use strict";
const form = document.getElementById("form"), out = document.getElementById("out"), status = document.getElementById("status");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  status.textContent = "running…"; out.replaceChildren();
  try {
    const response = await fetch("sparql", {method: "POST",
      headers: {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: document.getElementById("query").value});
    const text = await response.text();
    if (!response.ok) { status.textContent = JSON.parse(text).error.message; return; }
    status.textContent = response.headers.get("X-Result-Truncated") ? "results truncated at the row limit" : "";
    if (!(response.headers.get("Content-Type") || "").includes("json")) {
      const pre = document.createElement("pre"); pre.textContent = text; out.append(pre); return;
    }
    const data = JSON.parse(text);
    if ("boolean" in data) { out.textContent = String(data.boolean); return; }
    const table = document.createElement("table"), head = table.insertRow();
    for (const name of data.head.vars) { const th = document.createElement("th"); th.textContent = name; head.append(th); }
    for (const binding of data.results.bindings) {
      const row = table.insertRow();
      for (const name of data.head.vars) {
        const cell = row.insertCell(), term = binding[name];
        if (!term) continue;
        if (term.type === "uri" && /^https?:/.test(term.value)) {
          const a = document.createElement("a"); a.href = term.value; a.textContent = term.value; cell.append(a);
        } else { cell.textContent = term.value; }
      }
    }
    out.append(table);
  } catch (error) { status.textContent = String(error); }
});
</script></body></html>
"""


def query_page(prologue: str) -> str:
    return QUERY_PAGE.replace("PREFIX_BLOCK\n", escape(prologue))
