"""Publish-time diagnostics: what would stop a valid draft from being published, or
make it misbehave once it is (CONTRACT.md, "Validate without saving").

``diagnose`` reads an automation the create already accepted (node ids unique, every
edge joining two of its nodes) and finds every problem in the contract's order: the
automation-wide ones, then ``edge_into_trigger`` in edge order, then node by node in
document order. It lists the first ``MAX_DIAGNOSTICS`` and counts the rest
(``Diagnostics``), so what it builds is bounded whatever the draft holds.

``data`` is client JSON and the graph is client-shaped: every walk here is iterative
(a breadth-first search, Tarjan's algorithm with an explicit stack, Kahn's algorithm),
linear in nodes + edges, and no value is trusted to be hashable or of any type.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

from automations.graph import quote
from automations.models import TriggerNodeType

if TYPE_CHECKING:
    from automations.models import Edge, NewAutomation, Node

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

ENGAGEMENT_TYPES = ("open", "click", "bounce", "spam")
WEBHOOK_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DELAY_UNITS = ("seconds", "minutes", "hours", "days")
SPLIT_COUNT = 2
SPLIT_TOTAL = 100

# trigger.type → the trigger node type it means (and, for e-mail engagement, the
# node's emailEngagementType). Types outside these pairs are not compared. Two node
# types that differ always disagree, whatever the node's emailEngagementType holds.
_TRIGGER_PAIRS: dict[str, tuple[str, str | None]] = {
    "contact.subscribed": ("contact-subscribed", None),
    "contact.updated": ("contact-property-updated", None),
    "form.submitted": ("form-filled", None),
    "event.fired": ("event", None),
    "segment.entered": ("segment-entry", None),
    "email.opened": ("email-engagement", "open"),
    "email.clicked": ("email-engagement", "click"),
    "email.bounced": ("email-engagement", "bounce"),
    "email.complained": ("email-engagement", "spam"),
}
_PAIRED_NODE_TYPES = frozenset(node_type for node_type, _ in _TRIGGER_PAIRS.values())


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


class Diagnostics(list[Diagnostic]):
    """The diagnostics an answer lists (the first ``cap``, in order) and how many
    there were, of which how many errors. Past the cap a diagnostic is only counted:
    callers that would build many ask ``full`` first, so a 190,000-entry ``splits``
    builds 100 messages, not 190,000."""

    def __init__(self, cap: int = MAX_DIAGNOSTICS) -> None:
        super().__init__()
        self.cap = cap
        self.total = 0
        self.errors = 0

    @property
    def full(self) -> bool:
        return len(self) >= self.cap

    def tally(self, severity: str) -> None:
        """One more diagnostic of ``severity``, not listed."""
        self.total += 1
        self.errors += severity == ERROR

    def append(self, diagnostic: Diagnostic) -> None:
        self.tally(diagnostic.severity)
        if len(self) < self.cap:
            super().append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.append(diagnostic)


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
        found.extend(_trigger_mismatch(automation.trigger.type, nodes[trigger]))

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
    reachable = _reachable(successors, trigger) if trigger is not None else [True] * len(nodes)
    cycles = _cycles(nodes, successors, trigger) if trigger is not None else {}
    handles = _branch_handles(nodes, edges, position)

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
        elif not reachable[index]:
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
        check = _DATA_RULES.get(node.type)
        if check is not None:
            check(_DataCheck(index, node, found))
        _missing_branches(node, handles.get(index, set()), found)
        if index in cycles:
            found.append(cycles[index])
    return found


def _trigger_mismatch(trigger_type: str, node: Node) -> list[Diagnostic]:
    if trigger_type not in _TRIGGER_PAIRS or node.type not in _PAIRED_NODE_TYPES:
        return []
    node_type, engagement = _TRIGGER_PAIRS[trigger_type]
    if node.type != node_type:
        message = (
            f'trigger.type "{trigger_type}" means {_a(node_type)} trigger node, '
            f"but {quote(node.id)} is {_a(node.type)} node"
        )
    else:
        actual = node.data.get("emailEngagementType")
        # Absent or invalid, emailEngagementType is not compared: the data rule reports it.
        if engagement is None or not isinstance(actual, str) or actual not in ENGAGEMENT_TYPES:
            return []
        if actual == engagement:
            return []
        message = (
            f'trigger.type "{trigger_type}" means emailEngagementType "{engagement}", '
            f'but trigger node {quote(node.id)} has "{actual}"'
        )
    return [Diagnostic(WARNING, "trigger_mismatch", "trigger.type", message, node.id)]


def _a(node_type: str) -> str:
    """``a send-email``, ``an event``."""
    return f"{'an' if node_type[0] in 'aeiou' else 'a'} {node_type}"


def _reachable(successors: list[list[int]], start: int) -> list[bool]:
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


def _cycles(nodes: list[Node], successors: list[list[int]], start: int) -> dict[int, Diagnostic]:
    """One cycle diagnostic per looping group reachable from ``start``, keyed by the
    group's first node in document order."""
    found: dict[int, Diagnostic] = {}
    for group in _strong_components(successors, start):
        members = set(group)
        first = min(group)
        if len(group) == 1 and first not in successors[first]:
            continue
        node = nodes[first]
        if len(group) == 1:
            loop = f"node {quote(node.id)} has an edge to itself"
        else:
            loop = f"node {quote(node.id)} and {len(group) - 1} other node(s) form a cycle"
        if _loops_without(nodes, successors, members):
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


def _strong_components(successors: list[list[int]], start: int) -> list[list[int]]:
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


def _loops_without(nodes: list[Node], successors: list[list[int]], members: set[int]) -> bool:
    """Whether ``members`` still hold a cycle once their time-delay nodes are removed
    (Kahn's algorithm: a cycle is what never runs out of incoming edges)."""
    kept = {member for member in members if nodes[member].type != TIME_DELAY}
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


def _branch_handles(nodes: list[Node], edges: list[Edge], position: dict[str, int]) -> dict[int, set[str]]:
    """The ``sourceHandle`` of every edge leaving a branching node."""
    handles: dict[int, set[str]] = {}
    for edge in edges:
        source = position[edge.source]
        if nodes[source].type in ("if-else", "percentage-split") and edge.sourceHandle is not None:
            handles.setdefault(source, set()).add(edge.sourceHandle)
    return handles


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


def _number(value: Any) -> int | float | None:
    """``value`` if it is a JSON number, else None. A bool is never a number (JSON
    true is not 1), whatever Python's int says."""
    return value if type(value) is int or type(value) is float else None


# Webhook URLs are judged as WHATWG's URL Standard parses them (browsers, and Node's
# fetch, which sends the product's webhooks), by hand: a conformant parser (ada-url)
# would add a compiled dependency to every function for the few rules that matter
# here. Where this is stricter than WHATWG it says so; it never accepts a URL that
# WHATWG's parser refuses.
# An ASCII host name: letters, digits, "-", ".", "_", "~" (stricter than WHATWG, which
# also takes "!", "$", "%"-escapes and more).
_HOST_NAME = re.compile(r"[A-Za-z0-9._~\-]+")
# What may sit between an IPv6 address's brackets: hex pieces, colons, and the dots of
# an embedded IPv4 address; no zone id ("%25eth0"), no "v1.fe" future form.
_IPV6_TEXT = re.compile(r"[0-9A-Fa-f:.]+")
_AUTHORITY_END = re.compile(r"[/?#]")
_PORT_MAX = 65535


def _ipv4_number(part: str) -> int | None:
    """WHATWG's IPv4 number parser: "0x" or "0X" and hex digits (none is 0), "0" and
    octal digits, or decimal digits; None when it is none of these."""
    if part[:2].lower() == "0x":
        digits, base = part[2:], 16
    elif len(part) > 1 and part[0] == "0":
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    if not digits:
        return 0 if base != 10 else None
    allowed = "0123456789abcdefABCDEF"[: base + (6 if base == 16 else 0)]
    if not all(ch in allowed for ch in digits):
        return None
    return int(digits, base)


def _ends_in_a_number(labels: list[str]) -> bool:
    """WHATWG's "ends in a number": the last label (a trailing empty one dropped) is
    decimal digits or an IPv4 number; such a host must then be an IPv4 address."""
    last = labels[-1] if labels[-1] or len(labels) == 1 else labels[-2]
    return bool(last) and ((last.isascii() and last.isdigit()) or _ipv4_number(last) is not None)


def _is_ipv4(labels: list[str]) -> bool:
    """WHATWG's IPv4 parser: one to four numbers ("127.1", "0x7f.0.0.1", "2130706433"
    are 127.0.0.1), every one but the last below 256 and the last filling the rest of
    the 32 bits. "256.256.256.256" and "1.2.3.4.5" are failures, not host names."""
    parts = labels[:-1] if len(labels) > 1 and not labels[-1] else labels
    if len(parts) > 4:
        return False
    numbers = [_ipv4_number(part) if part else None for part in parts]
    if any(number is None for number in numbers):
        return False
    *leading, last = [number for number in numbers if number is not None]
    return all(number < 256 for number in leading) and last < 256 ** (5 - len(parts))


def _is_ipv6(text: str) -> bool:
    """What WHATWG's IPv6 parser takes: eight 16-bit pieces, "::" once, an IPv4 address
    in the last 32 bits in plain decimal; no zone id."""
    if not _IPV6_TEXT.fullmatch(text):
        return False
    try:
        ipaddress.IPv6Address(text)  # refuses "01.2.3.4" in the IPv4 part, as WHATWG does
    except ValueError:
        return False
    return True


def _host_name(host: str) -> str | None:
    """The host, as WHATWG's parser reads a name: a non-ASCII name is encoded (IDNA,
    whose mappings turn full-width digits into ASCII ones), then a name that ends in a
    number must be an IPv4 address. None if it is no valid host."""
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")  # stricter than UTS 46: labels of 63 at most
        except UnicodeError:
            return None
    if not _HOST_NAME.fullmatch(host):
        return None
    labels = host.split(".")
    if _ends_in_a_number(labels) and not _is_ipv4(labels):
        return None
    return host.lower()


def _webhook_host(value: str) -> str | None:
    """The host of an absolute http or https URL as a browser reads it, or None when it
    is not one. Stricter than WHATWG: no space or control character anywhere (WHATWG
    strips some and drops others), and exactly "//" after the scheme (WHATWG also
    reads "http:host" and skips any run of slashes and backslashes there). As in WHATWG, a backslash is a slash in these schemes: the host of
    "http://example.com\\@evil.com" is example.com, its path "/@evil.com"."""
    if not value.isprintable() or " " in value:  # isprintable: no control or separator but " "
        return None
    scheme, colon, rest = value.partition(":")
    if not colon or scheme.lower() not in ("http", "https"):
        return None
    rest = rest.replace("\\", "/")
    if not rest.startswith("//"):
        return None
    authority = _AUTHORITY_END.split(rest[2:], maxsplit=1)[0]
    host_and_port = authority.rpartition("@")[2]  # the userinfo ends at the last "@"
    if host_and_port.startswith("["):
        address, bracket, port_part = host_and_port[1:].partition("]")
        if not bracket or not _is_ipv6(address) or (port_part and port_part[0] != ":"):
            return None
        host: str | None = f"[{address.lower()}]"
        port = port_part[1:]
    else:
        name, _, port = host_and_port.partition(":")
        host = _host_name(name) if name else None
    digits = port.lstrip("0")
    if port and not (
        port.isascii() and port.isdigit() and len(digits) <= 5 and int(digits or 0) <= _PORT_MAX
    ):
        return None
    return host


def _is_absolute_http_url(value: str) -> bool:
    """Whether ``value`` is an absolute http or https URL with a host, as ``_webhook_host``
    judges it."""
    return _webhook_host(value) is not None


def _choices(values: tuple[str, ...]) -> str:
    return ", ".join(values)


class _DataCheck:
    """The data rules of one node, appending to the running list of diagnostics."""

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
                f"{_a(self.node.type)} node needs data.{field}",
                self.node.id,
            )
        )

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

    def string(self, field: str, value: Any) -> str | None:
        """A required string: absent, null, "" or not a string is missing. A string of
        spaces is a string (the contract names only "")."""
        if isinstance(value, str) and value:
            return value
        self.missing(field)
        return None

    def one_of(self, field: str, choices: tuple[str, ...]) -> None:
        value = self.string(field, self.data.get(field))
        if value is not None and value not in choices:
            self.invalid(field, f"must be one of {_choices(choices)} (got {quote(value)})")


def _string_rule(*fields: str) -> Callable[[_DataCheck], None]:
    def check(node: _DataCheck) -> None:
        for field in fields:
            node.string(field, node.data.get(field))

    return check


def _email_engagement(node: _DataCheck) -> None:
    node.one_of("emailEngagementType", ENGAGEMENT_TYPES)


def _send_webhook(node: _DataCheck) -> None:
    url = node.string("url", node.data.get("url"))
    if url is not None and not _is_absolute_http_url(url):
        node.invalid("url", "must be an absolute http or https URL")
    method = node.data.get("method")
    # An optional method: null is absent; anything else that is not one of the listed
    # strings (a number, an object, "", "get") is invalid_data, never missing_data.
    if method is not None and (not isinstance(method, str) or method not in WEBHOOK_METHODS):
        node.invalid("method", f"must be one of {_choices(WEBHOOK_METHODS)}")


def _topics(node: _DataCheck) -> None:
    topic_ids = node.data.get("topicIds")
    if not isinstance(topic_ids, list) or not topic_ids:
        node.missing("topicIds")
        return
    # One diagnostic for the list, naming its first non-string entry ("" is a string).
    for position, topic_id in enumerate(topic_ids):
        if not isinstance(topic_id, str):
            node.invalid("topicIds", f"must hold only strings (topicIds[{position}] is not one)")
            return


def _conditions(node: _DataCheck) -> None:
    conditions = node.data.get("conditions")
    if not isinstance(conditions, dict | list) or not conditions:
        node.missing("conditions")


def _splits(node: _DataCheck) -> None:
    splits = node.data.get("splits")
    if not isinstance(splits, list) or not splits:
        node.missing("splits")
        return
    if len(splits) != SPLIT_COUNT:
        node.invalid("splits", f"must hold exactly {SPLIT_COUNT} entries (it holds {len(splits)})")
    percentages: list[int | float] = []
    for position, split in enumerate(splits):
        # An entry that is not an object (or is {}) is one missing entry; an object is
        # checked field by field.
        if not isinstance(split, dict) or not split:
            if node.found.full:  # the common case of a huge list: counted, no name built
                node.found.tally(ERROR)
            else:
                node.missing(f"splits[{position}]")
            continue
        entry = f"splits[{position}]"
        node.string(f"{entry}.id", split.get("id"))
        node.string(f"{entry}.name", split.get("name"))
        percentage = _number(split.get("percentage"))
        if percentage is None:
            node.missing(f"{entry}.percentage")
        elif not 0 <= percentage <= SPLIT_TOTAL:
            node.invalid(f"{entry}.percentage", f"must be between 0 and {SPLIT_TOTAL}")
        else:
            percentages.append(percentage)
    # The total is judged only when every percentage is a valid number (whatever the
    # number of entries), with a tiny tolerance for binary floats.
    if len(percentages) == len(splits):
        total = math.fsum(percentages)
        if not math.isclose(total, SPLIT_TOTAL, rel_tol=0.0, abs_tol=1e-9):
            node.invalid("splits", f"must have percentages that total {SPLIT_TOTAL} (they total {total:g})")


def _time_delay(node: _DataCheck) -> None:
    duration = _number(node.data.get("duration"))
    if duration is None:
        node.missing("duration")
    elif not duration > 0:  # a fraction is a number > 0 too
        node.invalid("duration", "must be greater than 0")
    node.one_of("unit", DELAY_UNITS)


# Node type → its data rules, each in the order of the contract's table.
_DATA_RULES: dict[str, Callable[[_DataCheck], None]] = {
    "contact-property-updated": _string_rule("propertyName"),
    "form-filled": _string_rule("formId"),
    "event": _string_rule("eventName"),
    "segment-entry": _string_rule("segmentId"),
    "segment-exit": _string_rule("segmentId"),
    "email-engagement": _email_engagement,
    "send-email": _string_rule("templateId"),
    "send-webhook": _send_webhook,
    "update-contact": _string_rule("fieldId", "fieldValue"),
    "add-to-topic": _topics,
    "remove-from-topic": _topics,
    "if-else": _conditions,
    "percentage-split": _splits,
    "time-delay": _time_delay,
}
