"""What `make bench` reports: the rows of its table (measure, p50, p99, floor, ratio), the
goals it ends with (`GOAL <name> ratio=<measured> limit=<goal> ok|short`), the machine it
ran on, and the progress log on stderr."""

from __future__ import annotations

import os
import platform
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tests.support.bulk import NationalSize

# The concurrent clients every served measure is driven by; the report says how many.
CLIENTS = 20


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Row:
    measure: str
    database: str
    p50: float
    p99: float
    floor: float | None
    samples: int
    unit: str = "ms"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return None if not self.floor else self.p99 / self.floor


@dataclass
class Goal:
    name: str
    measured: float
    limit: float

    @property
    def ok(self) -> bool:
        return self.measured <= self.limit


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def slug(name: str) -> str:
    """A measure's name as part of a goal's name."""
    plain = name.lower().translate(str.maketrans("åäöé", "aaoe"))
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_kb // 1024 // 1024} GB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def print_report(report: Report, size: NationalSize) -> None:
    print(f"make bench, {date.today().isoformat()}, on {machine()}")
    print(
        f"data: {size.municipalities} municipalities, {size.placements} placements, "
        f"{size.open_requests} open requests; {CLIENTS} concurrent clients"
    )
    print()
    print("| measure | database | p50 | p99 | floor (p99) | ratio | n | note |")
    print("|---|---|---|---|---|---|---|---|")
    for r in report.rows:
        unit = r.unit
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else ""
        floor = f"{r.floor:.2f} {unit}" if r.floor else ""
        print(
            f"| {r.measure} | {r.database} | {r.p50:.2f} {unit} | {r.p99:.2f} {unit} | {floor} "
            f"| {ratio} | {r.samples} | {r.note} |"
        )
    for note in report.notes:
        print(f"\nNote: {note}")
    print()
    for g in report.goals:
        print(f"GOAL {g.name} ratio={g.measured:.2f} limit={g.limit:g} {'ok' if g.ok else 'short'}")
