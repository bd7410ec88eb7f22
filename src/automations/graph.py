"""Graph rules checked at creation: unique node ids, unique edge ids, and edges that
join nodes of this automation. Cycles, reachability and per-type ``data`` are
publish-time concerns.

The rules read the request as sent (plain JSON values), not the validated model, so
that one 422 can report graph problems together with field problems. Entries that
are not objects, or ids that are not strings, are skipped here: the field rules
report those.
"""

from __future__ import annotations

from typing import Any

from automations.errors import Problem

GRAPH_CODES = frozenset({"duplicate_id", "unknown_node"})


def shorten(value: str, limit: int = 64) -> str:
    """A client-supplied string, cut to ``limit`` characters for an answer."""
    return value if len(value) <= limit else value[:limit] + "…"


def quote(value: str) -> str:
    """A client-supplied string, shortened and quoted for an error message."""
    return repr(shorten(value))


def _objects(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def find_problems(nodes: Any, edges: Any) -> list[Problem]:
    """Every graph problem in ``nodes`` and ``edges``, in document order."""
    problems: list[Problem] = []
    node_index: dict[str, int] = {}
    for index, node in _objects(nodes):
        node_id = node.get("id")
        if not isinstance(node_id, str):
            continue
        first = node_index.setdefault(node_id, index)
        if first != index:
            problems.append(
                Problem(
                    f"nodes[{index}].id",
                    "duplicate_id",
                    f"node id {quote(node_id)} is already used by nodes[{first}]",
                )
            )

    edge_index: dict[str, int] = {}
    for index, edge in _objects(edges):
        edge_id = edge.get("id")
        label = quote(edge_id) if isinstance(edge_id, str) else f"edges[{index}]"
        if isinstance(edge_id, str):
            first = edge_index.setdefault(edge_id, index)
            if first != index:
                problems.append(
                    Problem(
                        f"edges[{index}].id",
                        "duplicate_id",
                        f"edge id {label} is already used by edges[{first}]",
                    )
                )
        for end, verb in (("source", "starts at"), ("target", "targets")):
            node_id = edge.get(end)
            if isinstance(node_id, str) and node_id not in node_index:
                problems.append(
                    Problem(
                        f"edges[{index}].{end}",
                        "unknown_node",
                        f"edge {label} {verb} node {quote(node_id)}, which does not exist",
                    )
                )
    return problems
