from __future__ import annotations

import sys
from pathlib import Path

# The scripted consent hook and HTTP helpers live with the login service tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "login"))
