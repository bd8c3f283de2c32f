"""The bench's CPU accounting reads what real processes spent: a thread's share, a whole
process, and a process tree whose children have already exited."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.cpu_accounting import CpuShare, main_thread_cpu, process_cpu, tree_cpu

BURN = """
import threading, time
def burn(seconds):
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass
"""

THREADS = BURN + """
import sys
burn(0.3)                       # the main thread
worker = threading.Thread(target=burn, args=(0.4,))
worker.start(); worker.join()
print("done", flush=True)
sys.stdin.read()
"""

TREE = BURN + """
import subprocess, sys
# a child that burns and exits, waited for: its CPU is in this process's children times
subprocess.run([sys.executable, "-c", sys.argv[1] + "burn(0.3)"], check=True)
# a child still alive when read
live = subprocess.Popen([sys.executable, "-c", sys.argv[1] +
                         "burn(0.2); print('burnt', flush=True); import sys; sys.stdin.read()"],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
live.stdout.readline()
print("done", flush=True)
sys.stdin.read()
live.stdin.close(); live.wait()
"""


def _started(code: str, *args: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "done"
    return proc


def _ended(proc: subprocess.Popen) -> None:
    proc.stdin.close()
    proc.wait(timeout=30)


def test_a_process_and_its_main_thread_are_told_apart():
    proc = _started(THREADS)
    try:
        whole, main = process_cpu(proc.pid), main_thread_cpu(proc.pid)
    finally:
        _ended(proc)
    assert main >= 0.28, main
    assert whole >= main + 0.38, (whole, main)
    assert process_cpu(proc.pid) == 0.0  # gone: nothing to read


def test_a_tree_counts_exited_and_live_descendants():
    proc = _started(TREE, BURN)
    try:
        own, tree = process_cpu(proc.pid), tree_cpu(proc.pid)
    finally:
        _ended(proc)
    assert own < 0.25, own
    assert tree >= own + 0.48, (own, tree)


def test_a_share_gives_cost_per_event_and_the_cores_ceiling():
    share = CpuShare(events=1000, seconds=2.0, parts={"service": 1.0, "db": 0.5}, loop=0.4)
    assert share.total == pytest.approx(1.5)
    assert share.per_event_us() == pytest.approx(1500)
    assert share.per_event_us("db") == pytest.approx(500)
    assert share.per_event_us("loop") == pytest.approx(400)
    assert share.machine_use == pytest.approx(0.75)
    assert share.ceiling(2) == pytest.approx(2 / 0.0015)
