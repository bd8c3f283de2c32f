"""ownmedia/site.py: what build_site does around Pelican's run."""

from __future__ import annotations

import subprocess
import sys


def test_first_build_freezes_what_it_loaded_once():
    """The collector is paused while loading, on again after; what the first build loaded
    is frozen (the collector's passes skip it), later builds freeze nothing more."""
    code = (
        "import gc\n"
        "from ownmedia import site\n"
        "with site._collector_paused():\n"
        "    assert not gc.isenabled()\n"
        "    kept = [[n] for n in range(1000)]\n"
        "first = gc.get_freeze_count()\n"
        "with site._collector_paused():\n"
        "    more = [[n] for n in range(1000)]\n"
        "print(gc.isenabled(), first >= 1000, gc.get_freeze_count() == first)\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert found == ["True", "True", "True"]
