"""kg rank's betweenness, computed with sparse matrix products, against networkx's own."""
from __future__ import annotations

import networkx as nx
import pytest

from kg.report.network import betweenness_centrality


def _graphs():
    yield "path", nx.path_graph(7)
    yield "star with isolated actors", nx.compose(nx.star_graph(5), nx.empty_graph(range(10, 14)))
    yield "two components", nx.disjoint_union(nx.cycle_graph(6), nx.complete_graph(4))
    looped = nx.gnm_random_graph(60, 120, seed=1)
    looped.add_edge(3, 3)
    yield "random, with a self-loop", looped
    yield "random, sparse, many isolated", nx.gnm_random_graph(300, 150, seed=2)
    yield "random, dense", nx.gnm_random_graph(80, 900, seed=3)
    yield "barbell", nx.barbell_graph(5, 3)


@pytest.mark.parametrize("name,graph", list(_graphs()))
def test_betweenness_is_networkxs(name, graph):
    expected = nx.betweenness_centrality(graph)
    found = betweenness_centrality(graph)
    assert found.keys() == expected.keys()
    assert all(found[v] == pytest.approx(expected[v], abs=1e-12) for v in graph), name


@pytest.mark.parametrize("nodes", [0, 1, 2])
def test_too_few_actors_have_no_betweenness(nodes):
    assert betweenness_centrality(nx.path_graph(nodes)) == {v: 0.0 for v in range(nodes)}


def test_a_batch_smaller_than_the_graph_gives_the_same():
    # 2,000,000 // 2,100 actors is a batch of 952 sources: three batches
    graph = nx.gnm_random_graph(2100, 2500, seed=4)
    expected = nx.betweenness_centrality(graph)
    found = betweenness_centrality(graph)
    assert all(found[v] == pytest.approx(expected[v], abs=1e-12) for v in graph)
