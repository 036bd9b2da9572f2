from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
sys.path.insert(0, str(HERE))

from fixtures import moto  # noqa: E402  (after the path above)
from fixtures import network  # noqa: E402

__all__ = ["moto", "network"]
