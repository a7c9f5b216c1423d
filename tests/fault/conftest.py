"""Fault-injection tests share the renewal test kit."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "renewal"))
