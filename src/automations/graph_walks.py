"""The walks ``diagnose`` makes over an automation's graph: what the trigger reaches,
the looping groups (strongly connected components), whether a group still loops
without some of its nodes, and which branches leave a branching node.

The graph is client-shaped, so every walk is iterative (a breadth-first search,
Tarjan's algorithm with an explicit stack, Kahn's algorithm) and linear in nodes +
edges. Nodes are their positions in the document; ``successors[i]`` lists the
positions node ``i``'s edges lead to, one per edge.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from automations.models import Edge, Node

BRANCHING_NODE_TYPES = ("if-else", "percentage-split")


def reachable(successors: list[list[int]], start: int) -> list[bool]:
    """Which nodes a breadth-first walk from ``start`` reaches."""
    seen = [False] * len(successors)
    seen[start] = True
    queue = deque([start])
    while queue:
        for target in successors[queue.popleft()]:
            if not seen[target]:
                seen[target] = True
                queue.append(target)
    return seen


def strong_components(successors: list[list[int]], start: int) -> list[list[int]]:
    """Tarjan's strongly connected components of the nodes reachable from ``start``,
    with an explicit stack: a 1,000-node chain must not recurse 1,000 deep."""
    order = [-1] * len(successors)  # discovery index, -1 = not yet visited
    low = [0] * len(successors)
    next_edge = [0] * len(successors)
    on_stack = [False] * len(successors)
    stack: list[int] = []
    groups: list[list[int]] = []
    order[start] = low[start] = 0
    counter = 1
    stack.append(start)
    on_stack[start] = True
    path = [start]
    while path:
        node = path[-1]
        if next_edge[node] < len(successors[node]):
            target = successors[node][next_edge[node]]
            next_edge[node] += 1
            if order[target] == -1:
                order[target] = low[target] = counter
                counter += 1
                stack.append(target)
                on_stack[target] = True
                path.append(target)
            elif on_stack[target]:
                low[node] = min(low[node], order[target])
            continue
        path.pop()
        if path:
            parent = path[-1]
            low[parent] = min(low[parent], low[node])
        if low[node] == order[node]:
            group: list[int] = []
            while True:
                member = stack.pop()
                on_stack[member] = False
                group.append(member)
                if member == node:
                    break
            groups.append(group)
    return groups


def has_cycle(successors: list[list[int]], kept: set[int]) -> bool:
    """Whether the nodes of ``kept``, with only the edges between them, hold a cycle
    (Kahn's algorithm: a cycle is what never runs out of incoming edges)."""
    incoming = dict.fromkeys(kept, 0)
    for member in kept:
        for target in successors[member]:
            if target in kept:
                incoming[target] += 1
    ready = [member for member, count in incoming.items() if count == 0]
    removed = 0
    while ready:
        member = ready.pop()
        removed += 1
        for target in successors[member]:
            if target in kept:
                incoming[target] -= 1
                if incoming[target] == 0:
                    ready.append(target)
    return removed < len(kept)


def branch_handles(nodes: list[Node], edges: list[Edge], position: dict[str, int]) -> dict[int, set[str]]:
    """The ``sourceHandle`` of every edge leaving a branching node, by the node's position."""
    handles: dict[int, set[str]] = {}
    for edge in edges:
        source = position[edge.source]
        if nodes[source].type in BRANCHING_NODE_TYPES and edge.sourceHandle is not None:
            handles.setdefault(source, set()).add(edge.sourceHandle)
    return handles
