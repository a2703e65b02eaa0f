"""`kg query --endpoint`: a query on a remote SPARQL 1.1 endpoint, over the SPARQL 1.1 Protocol.

The query is checked here first, so a syntax error reads the same as for a
local run. Only the given endpoint is contacted (redirects are errors), under
a total deadline and a cap on the answer's size (see kg.http_client), and an
answer that is not what was asked for is a clean error, not a traceback.
"""
from __future__ import annotations

import urllib.parse

from kg.errors import KGError
from kg.http_client import Client, safe_text
from kg.query import check_syntax

ACCEPT = {
    "SELECT": "application/sparql-results+json",
    "ASK": "application/sparql-results+json",
    "CONSTRUCT": "application/n-triples",
    "DESCRIBE": "application/n-triples",
}
TIMEOUT = 30.0
MAX_RESPONSE_BYTES = 256 * 1024 * 1024


def run_remote(endpoint: str, text: str, base: str | None = None, timeout: float = TIMEOUT,
               max_response_bytes: int = MAX_RESPONSE_BYTES):
    """Run ``text`` on a SPARQL 1.1 endpoint; the answer as pyoxigraph results.

    The project's prefixes are sent as PREFIX lines.
    """
    from kg.graph.store import sparql_prologue

    if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
        raise KGError(f"--endpoint must be an http(s) URL of a SPARQL endpoint, e.g. http://localhost:7878/query, not {endpoint!r}")
    form = check_syntax(text, base)
    body = urllib.parse.urlencode({"query": sparql_prologue(base) + text}).encode("utf-8")
    headers = {"Accept": ACCEPT[form], "Content-Type": "application/x-www-form-urlencoded"}
    with Client("the SPARQL endpoint", timeout, max_response_bytes) as client:
        response = client.request("POST", endpoint, content=body, headers=headers)
    if response.redirect:
        raise KGError(f"the SPARQL endpoint {endpoint} answered {response.status_line}, redirecting to "
                      f"{response.location or '(no Location)'}; redirects are not followed, so only the given "
                      "address is contacted; if that address is the endpoint, give it as --endpoint")
    if not response.ok:
        detail = response.detail()
        raise KGError(f"the SPARQL endpoint {endpoint} answered {response.status_line}" + (f": {detail}" if detail else ""))
    return _parse(response.body, form, endpoint)


def _parse(payload: bytes, form: str, endpoint: str):
    import pyoxigraph

    try:
        if form == "CONSTRUCT" or form == "DESCRIBE":
            return [quad.triple for quad in pyoxigraph.parse(payload, pyoxigraph.RdfFormat.N_TRIPLES)]
        results = pyoxigraph.parse_query_results(payload, pyoxigraph.QueryResultsFormat.JSON)
        if isinstance(results, pyoxigraph.QuerySolutions):
            # a malformed solution raises only when it is read: read them all here, then parse
            # again for the caller (the answer is capped in size, so this costs little)
            for _ in results:
                pass
            results = pyoxigraph.parse_query_results(payload, pyoxigraph.QueryResultsFormat.JSON)
        return results
    except (SyntaxError, ValueError) as exc:
        raise KGError(f"the SPARQL endpoint {endpoint} sent an answer that is not {ACCEPT[form]}: "
                      f"{safe_text(str(exc))}") from None
