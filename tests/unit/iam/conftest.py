"""tests/integration/awscalls.py (the record's derivation) is imported as ``awscalls``, as the e2e stage does."""

from __future__ import annotations

import sys
from pathlib import Path

_INTEGRATION = str(Path(__file__).resolve().parents[2] / "integration")
if _INTEGRATION not in sys.path:
    sys.path.insert(0, _INTEGRATION)
