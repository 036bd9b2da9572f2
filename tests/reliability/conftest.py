from __future__ import annotations

from support.fixtures import moto
from support.fixtures import network
from support.fixtures import proxy
from support.fixtures import registry

__all__ = ["moto", "network", "proxy", "registry"]
