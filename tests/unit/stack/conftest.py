"""tests/integration/user_stack.py (the check that test stages leave the user's stack alone) is imported as ``user_stack``."""

from __future__ import annotations

import sys
from pathlib import Path

_INTEGRATION = str(Path(__file__).resolve().parents[2] / "integration")
if _INTEGRATION not in sys.path:
    sys.path.insert(0, _INTEGRATION)
