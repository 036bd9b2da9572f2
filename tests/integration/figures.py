"""Figures the reliability tests leave for the bench report (bench/run.py).

A test calls ``record("section", {...})``; when RELIABILITY_FIGURES names a file, the section is merged
into that JSON file. Without it, nothing is written: the tests' assertions are what CI checks.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def record(section: str, data: dict) -> None:
    path = os.environ.get("RELIABILITY_FIGURES")
    if not path:
        return
    target = Path(path)
    figures = json.loads(target.read_text()) if target.exists() else {}
    figures[section] = data
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(figures, indent=1, sort_keys=True))
