"""Run the benchmarks: every bench/bench_*.py module exposes `run(console, full: bool)` and
prints its own rich table; ratios are always measured side by side in the same run.

    python -m bench            quick sizes
    python -m bench --full     the sizes the issues state targets for
    python -m bench build      only bench_build.py
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from rich.console import Console


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="*", help="names of benchmarks to run (default: all)")
    parser.add_argument("--full", action="store_true", help="full sizes (slow)")
    args = parser.parse_args(argv)
    here = Path(__file__).parent
    sys.path.insert(0, str(here.parent))
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if args.only:
        names = [n for n in names if n.removeprefix("bench_") in args.only or n in args.only]
    # a wide table stays readable when the output goes to a file or CI log
    console = Console(width=None if sys.stdout.isatty() else 160)
    for name in names:
        console.rule(f"[bold]{name.removeprefix('bench_')}")
        importlib.import_module(f"bench.{name}").run(console, full=args.full)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
