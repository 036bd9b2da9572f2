"""The dockerd lock the deploy tests share: a dockerd fault asking for the engine is not kept waiting by tests that
keep starting (flock alone has no writer preference)."""

from __future__ import annotations

import threading
import time

from support import dockerlock


def test_a_fault_waits_for_the_tests_in_progress_only(tmp_path, monkeypatch):
    monkeypatch.setattr(dockerlock, "_LOCK", tmp_path / "dockerd.lock")
    monkeypatch.setattr(dockerlock, "_GATE", tmp_path / "dockerd.gate", raising=False)
    deadline, done = time.monotonic() + 8, threading.Event()

    def tests_one_after_another(offset: float) -> None:
        # Two workers, each starting a test as soon as its last one ends; their tests overlap, so the engine is never
        # free of them.
        time.sleep(offset)
        while not done.is_set() and time.monotonic() < deadline:
            with dockerlock.docker_in_use():
                time.sleep(0.4)

    workers = [threading.Thread(target=tests_one_after_another, args=(offset,)) for offset in (0, 0.2)]
    for worker in workers:
        worker.start()
    time.sleep(0.5)
    asked = time.monotonic()
    with dockerlock.docker_in_use(exclusive=True):
        waited = time.monotonic() - asked
    done.set()
    for worker in workers:
        worker.join()
    # At most the two tests in progress (0.4 s each, overlapping); without the gate, until the workers give up (7.5 s).
    assert waited < 3, f"the fault waited {waited:.1f} s for the engine"
