"""Service checks: the helper's local web service answers on its port; the Windows Smart Card service runs."""

from __future__ import annotations

import errno
import http.client
import json
import socket
import subprocess
import sys

from helper import __version__
from helper.diagnostics.facts import Facts
from helper.diagnostics.model import CheckResult, Status, result
from helper.login.portcheck import holder

STATUS_PATH = "/v1/status"
SERVICE_NAMES = ("cahelper", "数字证书助手")
STATUS_FIELDS = {"version", "api", "keyPresent"}  # what helper.login.server answers on /v1/status


def _ours(body: bytes) -> str | None:
    """The version the answer reports when it is the helper's own status answer (by name or by its fields)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or "version" not in data:
        return None
    names = " ".join(str(data.get(k, "")) for k in ("name", "app", "service"))
    ours = any(n in names for n in SERVICE_NAMES) or STATUS_FIELDS <= set(data)
    return str(data["version"]) if ours else None


def _port_bindable(port: int) -> bool:
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.bind(("127.0.0.1", port))
        return True
    except OSError as exc:
        return exc.errno != errno.EADDRINUSE and getattr(exc, "winerror", None) != 10048
    finally:
        probe.close()


def check_local_service(f: Facts) -> CheckResult:
    port = f.env.port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=min(f.env.timeout, 1.5))
    try:
        conn.request("GET", STATUS_PATH, headers={"Host": f"127.0.0.1:{port}", "Accept": "application/json"})
        answer = conn.getresponse()
        version = _ours(answer.read(65536)) if answer.status == 200 else None
    except ConnectionRefusedError:
        if _port_bindable(port):
            return result("local-service", Status.WARNING, "DIAG_SERVICE_NOT_RUNNING", port=port)
        version = None
    except (OSError, http.client.HTTPException):
        version = None
    finally:
        conn.close()
    if version is not None:
        details = [] if version == __version__ else [f"service {version}, helper {__version__}"]
        return result("local-service", Status.OK, "DIAG_SERVICE_OK", details, port=port, version=version)
    program = holder(port)
    return result("local-service", Status.ERROR, "DIAG_PORT_TAKEN", [program or "?"], port=port,
                  program=program or "?")


def check_smartcard_service(f: Facts) -> CheckResult:
    """Windows' Smart Card service (SCardSvr): many USB keys are smart cards to Windows."""
    if not sys.platform.startswith("win"):
        return result("smartcard-service", Status.SKIPPED, "DIAG_SKIPPED_NOT_WINDOWS")
    out = subprocess.run(["sc", "query", "SCardSvr"], capture_output=True, text=True, timeout=5,
                         creationflags=0x08000000).stdout
    if "RUNNING" in out:
        return result("smartcard-service", Status.OK, "DIAG_SCARD_OK")
    return result("smartcard-service", Status.ERROR, "DIAG_SCARD_STOPPED", [out.strip()[-200:]])
