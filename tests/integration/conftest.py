from __future__ import annotations

from fixtures import moto
from fixtures import network

__all__ = ["moto", "network"]
