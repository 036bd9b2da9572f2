"""Figures the reliability tests leave for the bench report (bench/run.py).

A test calls ``record("section", {...})``; when RELIABILITY_FIGURES names a file, the section is merged
into that JSON file (``extend=True``: the list given is added to the section's rows, which several modules fill) (under a lock: the test modules run in parallel, in pytest-xdist workers). Without it,
nothing is written: the tests' assertions are what CI checks.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path


def record(section: str, data: dict | list, extend: bool = False) -> None:
    path = os.environ.get("RELIABILITY_FIGURES")
    if not path:
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(target.name + ".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        figures = json.loads(target.read_text()) if target.exists() and target.stat().st_size else {}
        figures[section] = figures.get(section, []) + data if extend else data
        target.write_text(json.dumps(figures, indent=1, sort_keys=True))
