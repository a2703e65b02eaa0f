"""The interactive graph viewer: one self-contained, offline HTML file.

The page is drawn by vis-network, the library pyvis bundles, and is filled in
by the project's own template and script rather than pyvis's, which neither
escapes its inputs nor works offline. Everything is inlined: vis-network's
script (read from the installed pyvis package), the viewer's own script and
style, and the data as JSON. vis-network's style sheet is left out: it styles
only the navigation buttons, tooltips and configurator, which the viewer does
not use, and is 220 kB of embedded images. A Content-Security-Policy allows
exactly these scripts (by hash) and no request to any host, so a name or a
quote can never become markup or code, and opening the file sends nothing.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from kg.errors import KGError

ASSETS = Path(__file__).resolve().parent / "viewer"
VIS_VERSION = "vis-9.1.2"
_SCRIPT_BREAKERS = re.compile(r"<(?=!--|/?script)", re.IGNORECASE)


def json_for_script(data) -> str:
    """JSON that is safe inside <script>: no '<', '>', '&' or line separators appear raw."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def script_body(js: str) -> str:
    """Script text that cannot end its <script> element early.

    ``<script``, ``</script`` and ``<!--`` only occur inside string literals
    in the inlined libraries, where ``\\x3C`` means the same character.
    """
    return _SCRIPT_BREAKERS.sub(r"\\x3C", js)


def style_body(css: str) -> str:
    if re.search(r"</style", css, re.IGNORECASE):
        raise KGError("a style sheet of the viewer contains '</style' and cannot be inlined")
    return css


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


@lru_cache(maxsize=1)
def vis_script() -> str:
    """vis-network's minified script, as pyvis ships it."""
    try:
        import pyvis
    except ImportError:  # pragma: no cover - a declared dependency
        raise KGError("the viewer needs pyvis, which bundles vis-network: pip install pyvis") from None
    lib = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / VIS_VERSION
    try:
        return (lib / "vis-network.min.js").read_text("utf-8")
    except OSError as exc:  # pragma: no cover - a broken installation
        raise KGError(f"cannot read vis-network from the pyvis package ({lib}): {exc.strerror}") from None


@lru_cache(maxsize=1)
def _template():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ASSETS)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("page.html.j2")


def render(data: dict) -> str:
    """The page for :func:`kg.export.viewer_data.viewer_data`'s output."""
    from markupsafe import Markup

    scripts = [script_body(vis_script()), script_body((ASSETS / "viewer.js").read_text("utf-8"))]
    csp = "; ".join((
        "default-src 'none'",
        "script-src " + " ".join(_csp_hash(s) for s in scripts),
        "style-src 'unsafe-inline'",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ))
    return _template().render(
        title=data["title"],
        hidden=f"{data['datasetOnly']:,}" if data["datasetOnly"] else "",
        credits=data["credits"],
        csp=csp,
        data_json=Markup(json_for_script(data)),
        style=Markup(style_body((ASSETS / "viewer.css").read_text("utf-8"))),
        scripts=[Markup(s) for s in scripts],
    )


def viewer_html(catalog, *, types=(), sources=(), around=None, depth=1, title=None) -> str:
    """The viewer for ``catalog``, optionally narrowed as :func:`kg.export.viewer_data.select` does."""
    from kg.export.viewer_data import actor_named, select, viewer_data

    around = None if around is None else actor_named(around, catalog)  # the title names the id, however it was typed
    chosen = select(catalog, types, sources, around, depth)
    return render(viewer_data(chosen, title=title or _title(types, sources, around, depth), selected=around))


def _title(types, sources, around, depth) -> str:
    parts = []
    if types:
        parts.append("types " + ", ".join(sorted(types)))
    if sources:
        parts.append("sources " + ", ".join(sorted(sources)))
    if around:
        parts.append(f"within {depth} of {around}")
    return "AI-race knowledge graph" + (f" ({'; '.join(parts)})" if parts else "")


# Past this many actors a browser cannot draw the whole graph at interactive
# speed (BENCHMARKS.md: about 2 s at 5,000), so the build writes a page that
# says how to draw a part of it instead.
WHOLE_GRAPH_LIMIT = 10_000


def write_graph_html(result, base: str) -> str:
    """The build's export/graph.html: the whole graph, when it can be drawn."""
    count = len(result.catalog.entities)
    if count > WHOLE_GRAPH_LIMIT:
        return too_large_page(count)
    return viewer_html(result.catalog)


def too_large_page(count: int) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>AI-race knowledge graph</title></head><body>\n"
        f"<p>The graph has {count:,} actors, more than a browser can draw at once "
        f"(the limit is {WHOLE_GRAPH_LIMIT:,}). Draw a part of it instead, for example:</p>\n"
        "<pre>kg viewer --around ENTITY --depth 2 --out around.html\n"
        "kg viewer --type Lab --type Model --out labs-and-models.html</pre>\n"
        "</body></html>\n"
    )
