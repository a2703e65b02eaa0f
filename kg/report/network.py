"""The entity graph in networkx: paths, centrality, and files for Gephi and Cytoscape.

Nodes are actors; each claim whose value is another actor is an edge from its
subject to its value, keyed by the claim and carrying its property, rank,
sources, first quote and the dataset cells it cites. Deprecated claims are left out unless asked for:
they record what an article got wrong.
"""
from __future__ import annotations

from collections import defaultdict

from kg.errors import KGError
from kg.graph.store import prefixes
from kg.query import graph_base, run_local
from kg.report import evidence as cited
from kg.report.profile import entities, resolve
from kg.report.results import Rows, Shortener, local_name, rank_name


def entity_graph(store, deprecated: bool = False, known: dict | None = None):
    """A networkx MultiDiGraph of actors and the claims between them
    (``known``: the store's entities, if the caller has them already)."""
    import networkx as nx

    known = entities(store) if known is None else known
    graph = nx.MultiDiGraph()
    for entity in sorted(known.values(), key=lambda e: e.id):
        graph.add_node(entity.id, label=entity.label, type=entity.type)
    rows = run_local(store, f"""
        SELECT DISTINCT ?claim ?s ?p ?v ?r ?source ?quote ?cell ?column WHERE {{
          ?claim a kg:Claim ; kg:subject ?s ; kg:property ?p ; kg:value ?v ; kg:rank ?r ;
                 prov:wasDerivedFrom ?evidence .
          ?v dct:identifier ?valueId .
          {cited.pattern()}
        }}""")
    short = Shortener(prefixes(graph_base(store)))
    claims: dict[str, dict] = {}
    evidence: dict[str, list[cited.Cited]] = defaultdict(list)
    for row in rows:
        claim = short.term(row["claim"]).removeprefix("claim:")
        rank = rank_name(row["r"])
        if rank == "deprecated" and not deprecated:
            continue
        claims[claim] = {"s": known[row["s"].value].id, "v": known[row["v"].value].id,
                         "property": local_name(row["p"]), "rank": rank}
        evidence[claim].append(cited.Cited.of(short.source_id(row["source"]), row["quote"], row["cell"], row["column"]))
    for claim, info in sorted(claims.items(), key=lambda item: (item[1]["s"], item[1]["property"], item[1]["v"], item[0])):
        found = sorted(set(evidence[claim]))
        quotes = [ev.quote for ev in found if not ev.cell]
        graph.add_edge(info["s"], info["v"], key=claim, claim=claim, property=info["property"], rank=info["rank"],
                       sources=" ".join(sorted({ev.source for ev in found})), quote=quotes[0] if quotes else "",
                       cells="; ".join(ev.line() for ev in found if ev.cell), evidence=tuple(found))
    return graph


def shortest_paths(store, a: str, b: str, limit: int = 5, deprecated: bool = False) -> list[list[dict]]:
    """Up to ``limit`` shortest connections between two actors, in either direction.

    Each path is a list of hops; a hop names the claims that link its two
    actors, with their sources and quotes.
    """
    import networkx as nx

    known = entities(store)
    graph = entity_graph(store, deprecated, known)
    start, end = resolve(a, known).id, resolve(b, known).id
    if start == end:
        raise KGError(f"{a!r} and {b!r} are the same actor ({start})")
    undirected = nx.Graph(graph)
    try:
        paths = sorted(nx.all_shortest_paths(undirected, start, end))[:limit]
    except nx.NetworkXNoPath:
        return []
    result = []
    for path in paths:
        hops = []
        for u, v in zip(path, path[1:]):
            links = []
            for x, y in ((u, v), (v, u)):
                for key, data in sorted(graph.get_edge_data(x, y, default={}).items()):
                    links.append({"from": x, "property": data["property"], "to": y, "rank": data["rank"],
                                  "claim": key, "sources": data["sources"], "quote": data["quote"],
                                  "cells": [ev.line() for ev in data["evidence"] if ev.cell]})
            hops.append({"from": u, "to": v, "claims": links})
        result.append(hops)
    return result


def path_rows(paths: list[list[dict]]) -> Rows:
    rows = Rows(["path", "step", "from", "property", "to", "rank", "sources", "quote", "cells"])
    for number, hops in enumerate(paths, 1):
        for step, hop in enumerate(hops, 1):
            for link in hop["claims"]:
                rows.rows.append([number, step, link["from"], link["property"], link["to"], link["rank"], link["sources"],
                                  link["quote"], "; ".join(link["cells"])])
    return rows


def path_text(paths: list[list[dict]], a: str, b: str) -> str:
    if not paths:
        return f"No connection between {a} and {b}.\n"
    lines = []
    for number, hops in enumerate(paths, 1):
        names = [hops[0]["from"]] + [hop["to"] for hop in hops]
        lines.append(f"{number}. " + " — ".join(names) + f"  ({len(hops)} step{'s' if len(hops) > 1 else ''})")
        for hop in hops:
            for link in hop["claims"]:
                rank = "" if link["rank"] == "normal" else f" ({link['rank']})"
                quote = f" \u201c{link['quote']}\u201d" if link["quote"] else ""
                lines.append(f"     {link['from']} -{link['property']}-> {link['to']}{rank}  [{link['sources']}]{quote}")
                lines += [f"       {cell}" for cell in link["cells"]]
        lines.append("")
    return "\n".join(lines)


def centrality(graph, types: tuple[str, ...] = ()) -> Rows:
    """Degree, betweenness and PageRank of every actor, optionally of some types only.

    A type includes its subtypes: Organization covers labs, companies, funds...

    Degree counts distinct neighbours; betweenness is normalised; PageRank
    follows the direction of claims (subject to value). Measures are computed
    on the whole graph and filtered afterwards.
    """
    import networkx as nx

    simple = nx.Graph(graph)
    betweenness = betweenness_centrality(simple)
    pagerank = nx.pagerank(nx.DiGraph(graph)) if len(graph) else {}
    from kg.curate.vocab import load_vocabulary
    from kg.errors import did_you_mean

    vocab = load_vocabulary()
    by_name = {name.casefold(): name for name in vocab.classes if vocab.is_a(name, "Actor")}
    wanted = []
    for given in types:
        if given.casefold() not in by_name:
            raise KGError(f"unknown type '{given}'{did_you_mean(given, by_name.values())}; known: {', '.join(sorted(by_name.values()))}")
        wanted.append(by_name[given.casefold()])
    rows = Rows(["id", "label", "type", "degree", "betweenness", "pagerank"])
    for node, data in graph.nodes(data=True):
        if wanted and not any(vocab.is_a(data["type"], t) for t in wanted):
            continue
        rows.rows.append([node, data["label"], data["type"], simple.degree(node),
                          round(betweenness[node], 6), round(pagerank[node], 6)])
    return rows


def betweenness_centrality(graph) -> dict:
    """Normalised betweenness of every node of an undirected networkx graph, as
    ``networkx.betweenness_centrality`` gives it (up to rounding in the last bits).

    Brandes' algorithm, run for a batch of sources at once: each breadth-first
    level and each step back is one sparse matrix product, where networkx loops
    in Python over every node for every source (seconds at a thousand actors,
    minutes at ten thousand). Actors without a neighbour lie on no path and are
    left out of the products, though they count in the normalisation.
    """
    import numpy as np
    import scipy.sparse as sp

    nodes = list(graph)
    result = dict.fromkeys(nodes, 0.0)
    linked = [v for v in nodes if any(u != v for u in graph[v])]
    n = len(nodes)
    if n < 3 or not linked:
        return result
    index = {v: i for i, v in enumerate(linked)}
    pairs = [(index[u], index[v]) for u, v in graph.edges() if u != v]
    rows, cols = [i for i, j in pairs] + [j for i, j in pairs], [j for i, j in pairs] + [i for i, j in pairs]
    m = len(linked)
    adjacency = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(m, m))
    adjacency.data[:] = 1.0  # parallel entries summed: one edge all the same
    total = np.zeros(m)
    batch = max(1, min(m, 2_000_000 // m))  # about 16 MB per matrix of the batch
    for start in range(0, m, batch):
        # One column per source; levels[d] marks the nodes d steps from it.
        sources = np.arange(start, min(start + batch, m))
        here = np.arange(len(sources))
        sigma = np.zeros((m, len(sources)))
        sigma[sources, here] = 1.0
        seen = sigma > 0
        levels = [seen.copy()]
        frontier = sigma
        while True:  # breadth first: the number of shortest paths to each node
            reached = adjacency @ frontier
            reached *= ~seen
            new = reached > 0
            if not new.any():
                break
            seen |= new
            levels.append(new)
            sigma += reached
            frontier = reached
        inverse = 1.0 / np.where(sigma > 0, sigma, 1.0)
        delta = np.zeros_like(sigma)
        for back in range(len(levels) - 1, 0, -1):  # dependencies, from the farthest level back
            share = (1.0 + delta) * inverse * levels[back]
            delta += (adjacency @ share) * sigma * levels[back - 1]
        delta[sources, here] = 0.0
        total += delta.sum(axis=1)
    scale = 1.0 / ((n - 1) * (n - 2))
    for v, i in index.items():
        result[v] = float(total[i]) * scale
    return result


def rank_rows(rows: Rows, by: str = "pagerank", top: int | None = None) -> Rows:
    column = rows.columns.index(by)
    ordered = sorted(rows.rows, key=lambda row: (-row[column], row[0]))
    return Rows(rows.columns, ordered[:top] if top else ordered)


def export_graph(graph, fmt: str, nodes: bool = False) -> str:
    """The graph as GraphML, GEXF, or a CSV edge list (or node list) for spreadsheets."""
    import networkx as nx

    graph = _without_evidence(graph)
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(graph)) + "\n"
    if fmt == "gexf":
        lines = nx.generate_gexf(graph)
        # The GEXF writer stamps today's date; drop it so that the output is reproducible.
        return "\n".join(line for line in lines if "lastmodifieddate" not in line and "<meta" not in line
                         and "</meta>" not in line and "<creator>" not in line) + "\n"
    from kg.report.results import render_rows

    if nodes:
        table = Rows(["Id", "Label", "Type"], [[n, d["label"], d["type"]] for n, d in graph.nodes(data=True)])
    else:
        table = Rows(["Source", "Target", "Label", "Id", "Rank", "Sources", "Quote", "Cells"],
                     [[u, v, d["property"], k, d["rank"], d["sources"], d["quote"], d["cells"]]
                      for u, v, k, d in graph.edges(keys=True, data=True)])
    return render_rows(table, "csv")



def _without_evidence(graph):
    """A copy of ``graph`` whose edges keep only the attributes the file formats can write."""
    copy = graph.copy()
    for _, _, data in copy.edges(data=True):
        data.pop("evidence", None)
    return copy
