"""CPU time of the processes a bench drives, read from /proc (Linux), so a rate measured on a
shared machine can be read as a cost per event and a ceiling for the machine's cores."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(path: Path) -> list[str] | None:
    """The fields after the command name (which may hold spaces), or None once gone."""
    try:
        text = path.read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2:].split()


def _times(fields: list[str], *, reaped: bool) -> float:
    # fields[11:13] utime, stime; fields[13:15] cutime, cstime (children waited for)
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICK


def process_cpu(pid: int) -> float:
    """CPU seconds of one live process, all its threads (0.0 once it has exited)."""
    fields = _stat_fields(Path(f"/proc/{pid}/stat"))
    return _times(fields, reaped=False) if fields else 0.0


def main_thread_cpu(pid: int) -> float:
    """CPU seconds of a process's first thread: for `ownmedia serve`, its event loop."""
    fields = _stat_fields(Path(f"/proc/{pid}/task/{pid}/stat"))
    return _times(fields, reaped=False) if fields else 0.0


def tree_cpu(root: int) -> float:
    """CPU seconds of a process and every descendant, the live ones and those already reaped
    (counted in their parent's children times): a PostgreSQL server with its backends."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(entry / "stat")
        if fields:
            pid = int(entry.name)
            parents[pid], times[pid] = int(fields[1]), _times(fields, reaped=True)
    total = 0.0
    for pid, cpu in times.items():
        ancestor = pid
        while ancestor not in (root, 0, 1) and ancestor in parents:
            ancestor = parents[ancestor]
        if ancestor == root:
            total += cpu
    return total


def children_cpu() -> float:
    """CPU seconds of this process's children that have been waited for (wrk runs, stopped
    services)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class CpuShare:
    """CPU seconds spent by each part while `events` were accepted in `seconds` of wall time;
    `loop` is the share of the service's seconds spent on its event-loop thread."""

    events: int
    seconds: float
    parts: dict[str, float]
    loop: float = 0.0

    @property
    def total(self) -> float:
        return sum(self.parts.values())

    def per_event_us(self, part: str | None = None) -> float:
        cpu = self.total if part is None else self.loop if part == "loop" else self.parts[part]
        return cpu / self.events * 1e6 if self.events else float("nan")

    @property
    def machine_use(self) -> float:
        """Cores kept busy on average during the run."""
        return self.total / self.seconds if self.seconds else float("nan")

    def ceiling(self, cores: int | None = None) -> float:
        """Events per second the machine's cores could take at this cost per event, if nothing
        else ran and every core were kept busy."""
        cores = cores or os.cpu_count() or 1
        return cores / (self.total / self.events) if self.events and self.total else float("inf")
