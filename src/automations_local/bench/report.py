"""What `make bench` prints and checks: the tables of a run's figures, and the targets
each ratio is held to.
"""

from __future__ import annotations

import os
import platform
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from automations_local.bench.workload import SCALING_NODES

if TYPE_CHECKING:
    from automations_local.bench.run import Subject

# Cold starts spread wider than this (interquartile range / median): a busy machine.
BUSY_SPREAD = 0.15
# The import breakdown lists what takes at least this long (ms) in one function.
SHOWN_MS = 1.0


@dataclass(frozen=True)
class Target:
    limit: float
    strict: bool = False  # below the limit, not at it

    def holds(self, value: float) -> bool:
        return value < self.limit if self.strict else value <= self.limit


# Each function's cold start as deployed (import and first request), over B's in the
# same run, by route module (automations.routes): a route that is not declared is
# not measured.
COLD_START = {
    "create": 1.15, "edit": 1.15, "publish": 1.15,
    "get": 1.0, "list": 1.0, "versions": 1.0, "archive": 1.0, "delete": 1.0,
    "validate": 0.7,
}  # fmt: skip
TARGETS = {
    **{f"cold start, {module} / B": Target(limit) for module, limit in COLD_START.items()},
    # The validate function's cold start beats B's.
    "cold start, validate / B, below B's": Target(1.0, strict=True),
    "warm p50, create / B, 20 nodes": Target(1.0),
    "warm p50, create / B, 1,000 nodes": Target(0.5),
    # The validate route's whole work on 2 edges a node.
    "validation, 1,000 / 100 nodes": Target(12.0),
    "diagnostics / parsing, 1,000 nodes": Target(1.0),
    "peak RSS, create - B (MB)": Target(15.0),
    "package, zipped (MB)": Target(5.0),
}


@dataclass
class Report:
    ours: list[Subject]
    bare: Subject
    traced: list[Subject]
    cold: dict[str, list[dict[str, Any]]]
    warm: dict[str, dict[str, Any]]
    extra: dict[str, dict[str, dict[str, float]]]
    missing: dict[str, dict[str, dict[str, float]]]
    scaled: dict[str, dict[str, float]]
    imports: dict[str, float]
    package: tuple[float, float] | None
    layer: tuple[float, float] | None = None  # the X-Ray SDK layer's, for XRaySdkTracing=true

    def __post_init__(self) -> None:
        self.when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.machine = (
            f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}, "
            f"Python {platform.python_version()} (the functions run python3.13 on arm64)"
        )

    def median(self, name: str, key: str) -> float:
        return float(statistics.median(run[key] for run in self.cold[name]))

    def spread(self, name: str) -> float:
        """The interquartile range of the cold starts over their median: how quiet the
        machine was (a few percent on a quiet one)."""
        quartiles = statistics.quantiles([float(run["cold_ms"]) for run in self.cold[name]], n=4)
        return (quartiles[2] - quartiles[0]) / quartiles[1]

    def ratio(self, name: str, key: str = "cold_ms") -> float:
        return self.median(name, key) / self.median(self.bare.name, key)

    def measured(self) -> dict[str, float]:
        small, big = self.scaled[str(SCALING_NODES[0])], self.scaled[str(SCALING_NODES[-1])]
        found = {
            **{f"cold start, {s.name} / B": self.ratio(s.name) for s in self.ours if s.name in COLD_START},
            "cold start, validate / B, below B's": self.ratio("validate"),
            "warm p50, create / B, 20 nodes": self.warm["create"]["p50_ms"] / self.warm["B"]["p50_ms"],
            "warm p50, create / B, 1,000 nodes": self.warm["create, 1,000 nodes"]["p50_ms"]
            / self.warm["B, 1,000 nodes"]["p50_ms"],
            "validation, 1,000 / 100 nodes": big["route_ms"] / small["route_ms"],
            "diagnostics / parsing, 1,000 nodes": big["diagnostics_ms"] / big["parse_ms"],
            "peak RSS, create - B (MB)": self.median("create", "peak_rss_mb")
            - self.median("B", "peak_rss_mb"),
        }
        if self.package:
            found["package, zipped (MB)"] = self.package[0]
        return found

    def lines(self) -> list[str]:
        names = [s.name for s in self.ours]
        bare = self.bare.name
        header = "| " + " | ".join(names) + " | B: bare handler |"
        lines = [
            f"make bench, {self.when}, {self.machine}",
            "",
            f"| cold start, median of {len(self.cold[bare])} (ms) {header}",
            "|---|" + "---:|" * (len(names) + 1),
        ]
        for label, key in (
            ("import + first request", "cold_ms"),
            ("  of which import", "import_ms"),
            ("  of which first request", "first_request_ms"),
            ("  whole process, interpreter included", "process_ms"),
            ("peak RSS after first request (MB)", "peak_rss_mb"),
        ):
            values = [self.median(n, key) for n in [*names, bare]]
            lines.append(f"| {label} | " + " | ".join(f"{v:.2f}" for v in values) + " |")
        lines.append(
            "| import + first request / B | " + " | ".join(f"{self.ratio(n):.2f}" for n in names) + " | 1 |"
        )
        spreads = [self.spread(n) for n in [*names, bare]]
        lines.append(
            "| spread of import + first request: interquartile range / median (%) | "
            + " | ".join(f"{100 * v:.0f}" for v in spreads) + " |"
        )  # fmt: skip
        traced = [s.name for s in self.traced]
        lines.append(
            "| with the X-Ray SDK loaded: import + first request | "
            + " | ".join(f"{self.median(n, 'cold_ms'):.2f}" for n in traced) + " | |"
        )  # fmt: skip
        lines.append(
            "| with the X-Ray SDK loaded: / B | "
            + " | ".join(f"{self.ratio(n):.2f}" for n in traced)
            + " | |"
        )

        if max(spreads) > BUSY_SPREAD:
            lines += [
                "",
                f"NOTE: cold starts spread over {100 * max(spreads):.0f}% of their median (under "
                f"{100 * BUSY_SPREAD:.0f}% on a quiet machine): the machine was busy, and the ratios move "
                "more from one run to the next; run it again to compare.",
            ]
        lines += ["", f"| warm, per invocation (ms) {header}", "|---|" + "---:|" * (len(names) + 1)]
        for label, key in (("p50, 20 nodes", "p50_ms"), ("p99, 20 nodes", "p99_ms")):
            values = [self.warm[n][key] for n in [*names, bare]]
            lines.append(f"| {label} | " + " | ".join(f"{v:.2f}" for v in values) + " |")
        for label, key in (("p50, 1,000 nodes", "p50_ms"), ("p99, 1,000 nodes", "p99_ms")):
            cells = [f"{self.warm[f'{n}, 1,000 nodes'][key]:.2f}" if f"{n}, 1,000 nodes" in self.warm else "-"
                     for n in [*names, bare]]  # fmt: skip
            lines.append(f"| {label} | " + " | ".join(cells) + " |")

        lines += [
            "",
            "| imported by the function and not by B: self time under -X importtime "
            "(ms, median; modules) | " + " | ".join(names) + " |",
            "|---|" + "---:|" * len(names),
        ]
        groups = sorted(
            {g for n in names for g in self.extra[n]},
            key=lambda g: -max(self.extra[n].get(g, {"ms": 0.0})["ms"] for n in names),
        )
        shown = [g for g in groups if max(self.extra[n].get(g, {"ms": 0.0})["ms"] for n in names) >= SHOWN_MS]
        for group in shown:
            cells = []
            for n in names:
                entry = self.extra[n].get(group)
                cells.append("-" if entry is None else f"{entry['ms']:.1f} ({entry['modules']:.0f})")
            lines.append(f"| {group} | " + " | ".join(cells) + " |")
        rest = [g for g in groups if g not in shown]
        if rest:
            cells = [f"{sum(self.extra[n][g]['ms'] for g in rest if g in self.extra[n]):.1f}" for n in names]
            lines.append(f"| {len(rest)} others, under {SHOWN_MS:g} ms each | " + " | ".join(cells) + " |")
        lines.append(
            "| **all the function imports and B does not** | "
            + " | ".join(f"**{sum(e['ms'] for e in self.extra[n].values()):.1f}**" for n in names) + " |"
        )  # fmt: skip
        lines.append(
            "| all B imports and the function does not | "
            + " | ".join(f"{sum(e['ms'] for e in self.missing[n].values()):.1f}" for n in names) + " |"
        )  # fmt: skip
        lines.append(
            "|   of which, the largest | "
            + " | ".join(
                ", ".join(
                    f"{g} {e['ms']:.1f}"
                    for g, e in sorted(self.missing[n].items(), key=lambda item: -item[1]["ms"])[:3]
                )
                for n in names
            )
            + " |"
        )

        lines += [
            "",
            "A handler module's own time is its module code, the init-time work: for create and get, "
            "making the DynamoDB client (store.make_at_init); for B, its boto3 client.",
        ]
        lines += ["", "| import, alone in a fresh interpreter (median) | ms |", "|---|---:|"]
        lines += [f"| {name} | {ms:.1f} |" for name, ms in self.imports.items()]

        sizes = [str(n) for n in SCALING_NODES]
        small, big = self.scaled[sizes[0]], self.scaled[sizes[-1]]
        lines += [
            "",
            "| validate's work, 2 edges a node (ms, best of 31) | "
            + " | ".join(f"{int(n):,} nodes, {int(self.scaled[n]['edges']):,} edges" for n in sizes)
            + f" | {int(sizes[-1]):,} / {int(sizes[0]):,} |",
            "|---|" + "---:|" * (len(sizes) + 1),
        ]
        for label, key in (
            ("parse: body, models, graph rules", "parse_ms"),
            ("diagnostics", "diagnostics_ms"),
            ("the whole request, through the handler", "route_ms"),
        ):
            lines.append(
                f"| {label} | " + " | ".join(f"{self.scaled[n][key]:.2f}" for n in sizes)
                + f" | {big[key] / small[key]:.2f} |"
            )  # fmt: skip
        lines.append(
            "| diagnostics / parse | "
            + " | ".join(
                f"{self.scaled[n]['diagnostics_ms'] / self.scaled[n]['parse_ms']:.2f}" for n in sizes
            )
            + " | |"
        )

        lines += ["", "| deployment package | zipped | unzipped |", "|---|---:|---:|"]
        lines.append(
            f"| size (MB) | {self.package[0]:.2f} | {self.package[1]:.2f} |"
            if self.package
            else "| size (MB) | not built (make build) | |"
        )
        if self.layer:
            lines.append(
                f"| X-Ray SDK layer, with XRaySdkTracing (MB) | {self.layer[0]:.2f} | {self.layer[1]:.2f} |"
            )

        measured = self.measured()
        lines += ["", "| target | limit | measured | holds |", "|---|---:|---:|---|"]
        for name, target in TARGETS.items():
            value = measured.get(name)
            if value is None and name.startswith("cold start, "):
                continue  # a route not declared (yet)
            limit = f"< {target.limit:g}" if target.strict else f"{target.limit:g}"
            shown_value = "-" if value is None else f"{value:.2f}"
            holds = "-" if value is None else ("yes" if target.holds(value) else "NO")
            lines.append(f"| {name} | {limit} | {shown_value} | {holds} |")
        return lines
