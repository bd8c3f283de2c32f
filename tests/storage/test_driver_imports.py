"""The storage line holds: outside ownmedia/storage/ no module imports a database driver, so
every other part sees only the ports and the StorageError family."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "ownmedia"
DRIVERS = {"sqlite3", "psycopg", "psycopg_pool"}
# the build's cache of rendered pages (a file it can always rebuild), not the service's data
OUTSIDE_THE_STORES = {"build_cache.py"}


def driver_imports(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        found += [f"{path.relative_to(root)}:{node.lineno} {name}"
                  for name in names if name.split(".")[0] in DRIVERS]
    return found


def test_no_module_outside_storage_imports_a_database_driver():
    modules = [p for p in PACKAGE.rglob("*.py")
               if "storage" not in p.relative_to(PACKAGE).parts[:1]
               and str(p.relative_to(PACKAGE)) not in OUTSIDE_THE_STORES]
    assert len(modules) > 50  # the walk found the package
    offenders = [hit for path in modules for hit in driver_imports(path)]
    assert offenders == []


def test_the_check_sees_a_driver_import(tmp_path):
    module = tmp_path / "ownmedia" / "x.py"
    module.parent.mkdir()
    module.write_text("def f():\n    import sqlite3\n    from psycopg import rows\n")
    hits = driver_imports(module, tmp_path)
    assert [h.split()[1] for h in hits] == ["sqlite3", "psycopg"]
