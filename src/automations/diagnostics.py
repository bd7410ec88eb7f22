"""Publish-time diagnostics: what would stop a valid draft from being published, or
make it misbehave once it is (CONTRACT.md, "Validate without saving").

``diagnose`` reads an automation the create already accepted (node ids unique, every
edge joining two of its nodes) and finds every problem in the contract's order: the
automation-wide ones, then ``edge_into_trigger`` in edge order, then node by node in
document order. It lists the first ``MAX_DIAGNOSTICS`` and counts the rest
(``Diagnostics``), so what it builds is bounded whatever the draft holds.

The graph's walks are in ``graph_walks.py``, each node type's ``data`` rules in
``data_rules.py``; every ``Diagnostic`` is built here, only while there is room.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args

from automations.capped import Capped
from automations.data_rules import DATA_RULES, trigger_mismatch, with_article
from automations.graph import quote
from automations.graph_walks import branch_handles, has_cycle, reachable, strong_components
from automations.models import TriggerNodeType

if TYPE_CHECKING:
    from automations.models import NewAutomation, Node

# The contract bounds diagnostics and validationErrors apart: two facts that happen to
# be equal, so each has its own constant (MAX_LISTED_PROBLEMS in errors.py).
MAX_DIAGNOSTICS = 100
# Every code this module emits, and no other (the contract's list is closed).
CODES = (
    "no_nodes", "missing_trigger_node", "multiple_trigger_nodes", "not_connected", "missing_data",
    "invalid_data", "unreachable_node", "edge_into_trigger", "cycle_without_delay", "cycle",
    "missing_branch", "trigger_mismatch",
)  # fmt: skip

ERROR = "error"
WARNING = "warning"

# An automation starts at exactly one node of these types.
TRIGGER_NODE_TYPES = frozenset(get_args(TriggerNodeType))
TIME_DELAY = "time-delay"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One publish-time problem, at a precise place in the automation."""

    severity: str
    code: str
    field: str
    message: str
    node_id: str | None = None

    def as_dict(self) -> dict[str, str]:
        found = {"severity": self.severity, "code": self.code, "field": self.field}
        if self.node_id is not None:
            found["nodeId"] = self.node_id
        found["message"] = self.message
        return found


class Diagnostics(Capped[Diagnostic]):
    """The diagnostics an answer lists (the first ``cap``, in order) and how many
    there were, of which how many errors. Past the cap a diagnostic is only counted:
    callers that would build many ask ``full`` first, so a 190,000-entry ``splits``
    builds 100 messages, not 190,000."""

    def __init__(self, cap: int = MAX_DIAGNOSTICS) -> None:
        super().__init__(cap)

    def kind_of(self, item: Diagnostic) -> str:
        return item.severity

    @property
    def errors(self) -> int:
        return self.by_kind.get(ERROR, 0)


def diagnose(automation: NewAutomation, cap: int = MAX_DIAGNOSTICS) -> Diagnostics:
    """The publish-time diagnostics of ``automation``, in the contract's order: the
    first ``cap`` listed, every one counted."""
    nodes, edges = automation.nodes, automation.edges
    found = Diagnostics(cap)
    if not nodes:
        found.append(Diagnostic(ERROR, "no_nodes", "nodes", "the automation has no nodes"))
        return found

    position = {node.id: index for index, node in enumerate(nodes)}
    triggers = [index for index, node in enumerate(nodes) if node.type in TRIGGER_NODE_TYPES]
    if not triggers:
        found.append(
            Diagnostic(ERROR, "missing_trigger_node", "nodes", "the automation has no node of a trigger type")
        )
    for extra in triggers[1:]:
        node = nodes[extra]
        found.append(
            Diagnostic(
                ERROR,
                "multiple_trigger_nodes",
                f"nodes[{extra}]",
                f"{node.type} node {quote(node.id)} is also a trigger node; "
                f"the automation already starts at {quote(nodes[triggers[0]].id)}",
                node.id,
            )
        )
    # Reachability, cycles and the trigger's type are judged against the one trigger only.
    trigger = triggers[0] if len(triggers) == 1 else None
    if trigger is not None:
        mismatch = trigger_mismatch(automation.trigger.type, nodes[trigger])
        if mismatch is not None:
            found.append(Diagnostic(WARNING, "trigger_mismatch", "trigger.type", mismatch, nodes[trigger].id))

    successors: list[list[int]] = [[] for _ in nodes]
    has_incoming = [False] * len(nodes)
    for index, edge in enumerate(edges):
        source, target = position[edge.source], position[edge.target]
        successors[source].append(target)
        has_incoming[target] = True
        if nodes[target].type in TRIGGER_NODE_TYPES:
            found.append(
                Diagnostic(
                    ERROR,
                    "edge_into_trigger",
                    f"edges[{index}]",
                    f"edge {quote(edge.id)} leads into trigger node {quote(edge.target)}; "
                    "nothing may lead into a trigger",
                    edge.target,
                )
            )

    # Without exactly one trigger node, reachability is not judged: all count as reached.
    reached = reachable(successors, trigger) if trigger is not None else [True] * len(nodes)
    cycles = _cycles(nodes, successors, trigger) if trigger is not None else {}
    handles = branch_handles(nodes, edges, position)

    for index, node in enumerate(nodes):
        if not has_incoming[index] and node.type not in TRIGGER_NODE_TYPES:
            found.append(
                Diagnostic(
                    ERROR,
                    "not_connected",
                    f"nodes[{index}]",
                    f"{node.type} node {quote(node.id)} has no incoming edge",
                    node.id,
                )
            )
        elif not reached[index]:
            found.append(
                Diagnostic(
                    ERROR,
                    "unreachable_node",
                    f"nodes[{index}]",
                    f"{node.type} node {quote(node.id)} cannot be reached "
                    f"from trigger node {quote(nodes[triggers[0]].id)}",
                    node.id,
                )
            )
        rule = DATA_RULES.get(node.type)
        if rule is not None:
            rule(DataCheck(index, node, found))
        _missing_branches(node, handles.get(index, set()), found)
        if index in cycles:
            found.append(cycles[index])
    return found


def _cycles(nodes: list[Node], successors: list[list[int]], start: int) -> dict[int, Diagnostic]:
    """One cycle diagnostic per looping group reachable from ``start``, keyed by the
    group's first node in document order."""
    found: dict[int, Diagnostic] = {}
    for group in strong_components(successors, start):
        first = min(group)
        if len(group) == 1 and first not in successors[first]:
            continue
        node = nodes[first]
        if len(group) == 1:
            loop = f"node {quote(node.id)} has an edge to itself"
        else:
            loop = f"node {quote(node.id)} and {len(group) - 1} other node(s) form a cycle"
        if has_cycle(successors, {member for member in group if nodes[member].type != TIME_DELAY}):
            found[first] = Diagnostic(
                ERROR,
                "cycle_without_delay",
                "edges",
                f"{loop} with no time-delay node on it: contacts would loop at once",
                node.id,
            )
        else:
            found[first] = Diagnostic(
                WARNING, "cycle", "edges", f"{loop}; every loop waits at a time-delay node", node.id
            )
    return found


def _missing_branches(node: Node, handles: set[str], found: Diagnostics) -> None:
    if node.type == "if-else":
        found.extend(
            _missing_branch(node, f'"{branch}" branch')
            for branch in ("true", "false")
            if branch not in handles
        )
        return
    splits = node.data.get("splits")
    if node.type != "percentage-split" or not isinstance(splits, list):
        return
    seen: set[str] = set()
    for split in splits:
        split_id = split.get("id") if isinstance(split, dict) else None
        # Two splits with the same id are one branch: reported once. An empty id is
        # no branch at all (its missing_data says so).
        if isinstance(split_id, str) and split_id and split_id not in handles and split_id not in seen:
            seen.add(split_id)
            if found.full:
                found.tally(WARNING)
            else:
                found.append(_missing_branch(node, f"split {quote(split_id)}"))


def _missing_branch(node: Node, branch: str) -> Diagnostic:
    return Diagnostic(
        WARNING,
        "missing_branch",
        "edges",
        f"{node.type} node {quote(node.id)} has no edge for its {branch}",
        node.id,
    )


class DataCheck:
    """One node's ``data``, as its rules (``data_rules.py``) read it, and what they
    find, added to the running list of diagnostics."""

    __slots__ = ("data", "found", "index", "node")

    def __init__(self, index: int, node: Node, found: Diagnostics) -> None:
        self.index = index
        self.node = node
        self.data = node.data
        self.found = found

    def missing(self, field: str) -> None:
        if self.found.full:  # counted, not built
            self.found.tally(ERROR)
            return
        self.found.append(
            Diagnostic(
                ERROR,
                "missing_data",
                f"nodes[{self.index}].data.{field}",
                f"{with_article(self.node.type)} node needs data.{field}",
                self.node.id,
            )
        )

    def missing_entry(self, field: str, position: int) -> None:
        """Entry ``position`` of list ``field`` is missing: the common case of a huge
        list, so past the cap not even its name is built."""
        if self.found.full:
            self.found.tally(ERROR)
        else:
            self.missing(f"{field}[{position}]")

    def invalid(self, field: str, why: str) -> None:
        if self.found.full:
            self.found.tally(ERROR)
            return
        self.found.append(
            Diagnostic(
                ERROR,
                "invalid_data",
                f"nodes[{self.index}].data.{field}",
                f"data.{field} of {self.node.type} node {quote(self.node.id)} {why}",
                self.node.id,
            )
        )
