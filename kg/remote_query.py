"""`kg query --endpoint`: a query on a remote SPARQL 1.1 endpoint, over the SPARQL 1.1 Protocol.

The query is checked here first, so a syntax error reads the same as for a
local run. Only the given endpoint is contacted (redirects are errors), under
a total deadline and a cap on the answer's size (see kg.http_client), and an
answer that is not what was asked for is a clean error, not a traceback.

A store that cuts a result at its row limit says so in a header (Virtuoso's
``X-SPARQL-MaxRows``, ``kg serve``'s ``X-Result-Truncated``); such an answer
raises :class:`Truncated`, which carries the rows that came, so that they are
never taken for the whole answer. Login is as for ``kg push`` (kg.login).
"""
from __future__ import annotations

import urllib.parse

from kg.errors import KGError
from kg.error_text import safe_text
from kg.http_client import Client, Response
from kg.login import login
from kg.query import check_syntax

ACCEPT = {
    "SELECT": "application/sparql-results+json",
    "ASK": "application/sparql-results+json",
    "CONSTRUCT": "application/n-triples",
    "DESCRIBE": "application/n-triples",
}
TIMEOUT = 30.0
MAX_RESPONSE_BYTES = 256 * 1024 * 1024


# Virtuoso's default ResultSetMaxRows: an answer of exactly this many rows from
# Virtuoso is cut even where the header is missing (older versions, proxies).
VIRTUOSO_MAX_ROWS = 10000


class Truncated(KGError):
    """The endpoint sent only the first rows of the answer; ``result`` holds them."""

    def __init__(self, message: str, result, cut: str = "", why: str = ""):
        super().__init__(message)
        self.result = result
        self.cut, self.why = cut, why  # '1,000 rows', and the header or limit that says so


def run_remote(endpoint: str, text: str, base: str | None = None, timeout: float = TIMEOUT,
               max_response_bytes: int = MAX_RESPONSE_BYTES, auth: str = "none", environ: dict | None = None):
    """Run ``text`` on a SPARQL 1.1 endpoint; the answer as pyoxigraph results.

    The project's prefixes are sent as PREFIX lines. ``auth`` is none, basic,
    bearer or digest, with the secrets in the environment (kg.login). An
    answer the endpoint cut at its row limit raises :class:`Truncated`.
    """
    _check_endpoint(endpoint)
    check_syntax(text, base)  # a syntax error is told before any login
    with Session(endpoint, timeout, max_response_bytes, auth, environ) as session:
        return session.run(text, base)


class Session:
    """Several queries on one SPARQL endpoint over one connection, as :func:`run_remote` runs one.

    A command that reads the whole graph asks a dozen questions; one client
    (one connection, and one answer to a digest challenge) serves them all."""

    def __init__(self, endpoint: str, timeout: float = TIMEOUT, max_response_bytes: int = MAX_RESPONSE_BYTES,
                 auth: str = "none", environ: dict | None = None):
        _check_endpoint(endpoint)
        self.endpoint = endpoint
        self._headers, login_flow = login(auth, environ)
        self._client = Client("the SPARQL endpoint", timeout, max_response_bytes, auth=login_flow)

    def __enter__(self) -> Session:
        self._client.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        self._client.__exit__(*exc_info)

    def run(self, text: str, base: str | None = None):
        """The answer to ``text`` as pyoxigraph results (a list of triples for CONSTRUCT)."""
        form, response = self._answer(text, base)
        result, count = _parse(response.body, form, self.endpoint)
        self._check_whole(response, count, result)
        return result

    def load(self, text: str, store, graph) -> int:
        """The triples a CONSTRUCT ``text`` answers, put straight into ``graph`` of the pyoxigraph
        ``store`` (which must not hold that graph yet); how many triples it now holds."""
        import pyoxigraph

        form, response = self._answer(text, None)
        if form != "CONSTRUCT":
            raise KGError(f"only a CONSTRUCT query loads triples, not a {form} query")
        try:
            store.load(response.body, pyoxigraph.RdfFormat.N_TRIPLES, to_graph=graph)
        except (SyntaxError, ValueError) as exc:
            raise KGError(f"the SPARQL endpoint {self.endpoint} sent an answer that is not {ACCEPT[form]}: "
                          f"{safe_text(str(exc))}") from None
        count = sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
        self._check_whole(response, count, count)
        return count

    def _answer(self, text: str, base: str | None):
        from kg.graph.store import sparql_prologue

        form = check_syntax(text, base)
        body = urllib.parse.urlencode({"query": sparql_prologue(base) + text}).encode("utf-8")
        headers = {"Accept": ACCEPT[form], "Content-Type": "application/x-www-form-urlencoded", **self._headers}
        response = self._client.request("POST", self.endpoint, content=body, headers=headers)
        endpoint = self.endpoint
        if response.redirect:
            raise KGError(f"the SPARQL endpoint {endpoint} answered {response.status_line}, redirecting to "
                          f"{response.location or '(no Location)'}; redirects are not followed, so only the given "
                          "address is contacted; if that address is the endpoint, give it as --endpoint")
        if not response.ok:
            detail = response.detail()
            raise KGError(f"the SPARQL endpoint {endpoint} answered {response.status_line}" + (f": {detail}" if detail else ""))
        return form, response

    def _check_whole(self, response: Response, count: int | None, result) -> None:
        cap = _cut_at(response, count)
        if cap:
            raise Truncated(f"the SPARQL endpoint {self.endpoint} sent only the first {cap} of the answer "
                            f"({_why(response)}); the rest is missing: narrow the query, page it with LIMIT and OFFSET, "
                            "or raise the store's limit (Virtuoso: ResultSetMaxRows in virtuoso.ini)",
                            result, cap, _why(response))


def _check_endpoint(endpoint: str) -> None:
    if "@" in urllib.parse.urlsplit(endpoint).netloc:
        raise KGError("--endpoint must not hold credentials (user:password@host): use --auth and the environment "
                      "variables it names")
    if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
        raise KGError(f"--endpoint must be an http(s) URL of a SPARQL endpoint, e.g. http://localhost:7878/query, not {endpoint!r}")


def _cut_at(response: Response, count: int | None) -> str:
    """'10,000 rows' if the answer was cut at the store's row limit, else ''."""
    if count is None:
        return ""
    if response.headers.get("X-Result-Truncated", "").strip().lower() == "true":
        return f"{count:,} rows"
    declared = response.headers.get("X-SPARQL-MaxRows", "").strip()
    if declared.isdigit() and count >= int(declared):
        return f"{count:,} rows"
    if count == VIRTUOSO_MAX_ROWS and "virtuoso" in response.headers.get("Server", "").lower():
        return f"{count:,} rows"
    return ""


def _why(response: Response) -> str:
    for name in ("X-SPARQL-MaxRows", "X-Result-Truncated"):
        if name in response.headers:
            return f"{name}: {safe_text(response.headers[name], 40)}"
    return f"Virtuoso's default limit of {VIRTUOSO_MAX_ROWS:,} rows"


def _parse(payload: bytes, form: str, endpoint: str):
    """(result, how many rows or triples it holds; None for ASK)."""
    import pyoxigraph

    try:
        if form == "CONSTRUCT" or form == "DESCRIBE":
            triples = [quad.triple for quad in pyoxigraph.parse(payload, pyoxigraph.RdfFormat.N_TRIPLES)]
            return triples, len(triples)
        results = pyoxigraph.parse_query_results(payload, pyoxigraph.QueryResultsFormat.JSON)
        if not isinstance(results, pyoxigraph.QuerySolutions):
            return results, None
        # A malformed solution raises only when it is read, and solutions can be read once:
        # count them all here, then parse again for the caller (the answer is capped in size).
        count = sum(1 for _ in results)
        return pyoxigraph.parse_query_results(payload, pyoxigraph.QueryResultsFormat.JSON), count
    except (SyntaxError, ValueError) as exc:
        raise KGError(f"the SPARQL endpoint {endpoint} sent an answer that is not {ACCEPT[form]}: "
                      f"{safe_text(str(exc))}") from None
