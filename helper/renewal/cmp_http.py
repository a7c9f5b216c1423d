"""CMP over HTTP (RFC 6712): POST a DER PKIMessage, get one back."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from typing import IO

from helper.messages import HelperError

CONTENT_TYPE = "application/pkixcmp"
MAX_RESPONSE = 1 << 20


def post(url: str, request: bytes, timeout: float) -> bytes:
    """Send ``request`` and return the DER response; HelperError for network and HTTP failures."""
    req = urllib.request.Request(
        url, data=request, method="POST", headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-cache"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as rsp:
            return _body(url, rsp.headers.get_content_type(), rsp, rsp.status)
    except urllib.error.HTTPError as e:
        # CMP servers may carry an error PKIMessage in a 4xx/5xx reply.
        with e:
            return _body(url, e.headers.get_content_type(), e, e.code)
    except TimeoutError as e:
        raise HelperError("CMP_TIMEOUT", url=url, seconds=f"{timeout:g}") from e
    except urllib.error.URLError as e:
        if isinstance(e.reason, TimeoutError):
            raise HelperError("CMP_TIMEOUT", url=url, seconds=f"{timeout:g}") from e
        raise HelperError("CMP_SERVER_UNREACHABLE", url=url, detail=str(e.reason)) from e
    except http.client.HTTPException as e:
        raise HelperError("CMP_MALFORMED_RESPONSE", url=url, detail=f"not HTTP: {e!r}") from e
    except OSError as e:
        raise HelperError("CMP_SERVER_UNREACHABLE", url=url, detail=str(e)) from e


def _body(url: str, content_type: str, stream: IO[bytes], status: int) -> bytes:
    if content_type != CONTENT_TYPE:
        raise HelperError(
            "CMP_MALFORMED_RESPONSE", url=url, detail=f"HTTP {status}, content type {content_type}"
        )
    data = stream.read(MAX_RESPONSE + 1)
    if len(data) > MAX_RESPONSE:
        raise HelperError("CMP_MALFORMED_RESPONSE", url=url, detail="response too large")
    return data
