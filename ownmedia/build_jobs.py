"""Per-article file writing that plugins hand to plugins/print_view's forked writers.

On a large site the print views are written by processes forked when Pelican's writing phase
starts, beside it. Other per-article files (the comments feeds) can ride along, instead of
being written by the build process after the articles: a plugin offers a job for its build
(`offer`), the writers take every job offered for that build (`take`) and run each on their
slice of the articles; a job nobody took is run by its plugin in the build process
(`was_taken` says which). Keyed by the build's settings object, so that two builds in one
process (tests, the service) never mix.

This lives in the ownmedia package because Pelican imports the plugins under their bare names
(`comments`) while tests import them as `plugins.comments`: a registry kept in a plugin could
exist twice."""

from __future__ import annotations

from collections.abc import Callable

Job = Callable[[list], None]  # writes the files of the given articles

_OFFERED: list[tuple[dict, str, Job]] = []
_TAKEN: list[tuple[dict, str]] = []


def offer(settings: dict, name: str, job: Job) -> None:
    """Offer `job` for the build with these settings. A new offer starts a new build: what
    other builds offered, and whether an earlier build with the same settings object (Pelican's
    autoreload) had this job taken, is forgotten."""
    _OFFERED[:] = [o for o in _OFFERED if o[0] is settings and o[1] != name]
    _TAKEN[:] = [t for t in _TAKEN if t[0] is settings and t[1] != name]
    _OFFERED.append((settings, name, job))


def take(settings: dict) -> list[Job]:
    """Every job offered for this build; from now on they are the writers' to run."""
    jobs = [(name, job) for s, name, job in _OFFERED if s is settings]
    _OFFERED[:] = [o for o in _OFFERED if o[0] is not settings]
    _TAKEN.extend((settings, name) for name, _ in jobs)
    return [job for _, job in jobs]


def was_taken(settings: dict, name: str) -> bool:
    return any(s is settings and n == name for s, n in _TAKEN)


def clear() -> None:
    """End of a build: forget it (the settings object would otherwise be kept alive)."""
    _OFFERED.clear()
    _TAKEN.clear()
