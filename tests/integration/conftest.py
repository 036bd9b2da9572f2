from __future__ import annotations

from support.fixtures import moto
from support.fixtures import network

__all__ = ["moto", "network"]
