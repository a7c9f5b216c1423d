"""Fuzz the local service from its own OpenAPI document: no 5xx, no hang, still responsive afterwards."""

from __future__ import annotations

import base64
import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from login_kit import ORIGIN, ScriptedUI, call

from helper.login.keyops import Limits
from helper.login.server import openapi_document

DOC = json.loads(openapi_document())
PATHS = sorted(DOC["paths"])
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=60),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                         max_size=4), max_leaves=10)


def _schema_value(schema: dict) -> st.SearchStrategy:
    kind = schema.get("type")
    if kind == "string":
        return st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 300), 300)) | \
            st.binary(min_size=30, max_size=60).map(lambda b: base64.b64encode(b).decode())
    if kind == "object":
        return _body(schema)
    return JSON_VALUES


def _body(schema: dict) -> st.SearchStrategy:
    props = schema.get("properties", {})
    known = st.fixed_dictionaries({}, optional={k: _schema_value(v) | JSON_VALUES for k, v in props.items()})
    return known | st.dictionaries(st.text(max_size=12), JSON_VALUES, max_size=3) | JSON_VALUES


def _request_schema(path: str) -> dict:
    post = DOC["paths"][path].get("post")
    if not post:
        return {}
    return post["requestBody"]["content"]["application/json"]["schema"]


REQUESTS = st.one_of(
    st.tuples(st.sampled_from(PATHS), st.sampled_from(["GET", "POST", "OPTIONS", "PUT", "DELETE"]),
              st.sampled_from(PATHS).flatmap(lambda p: _body(_request_schema(p))).map(lambda b: json.dumps(b).encode()),
              st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", None]),
              st.sampled_from([ORIGIN, None, "https://evil.example", "null"]),
              st.sampled_from([None, "evil.example"])),
    st.tuples(st.sampled_from(PATHS + ["/", "/v1", "/v2/status", "/v1/../v1/status"]), st.just("POST"),
              st.binary(max_size=300), st.just("application/json"), st.just(ORIGIN), st.just(None)),
)


def test_fuzz_from_openapi(start_service):
    ui = ScriptedUI(consent=False)
    service = start_service(ui, limits=Limits(consent_timeout=2, rate_max=10_000))
    statuses: list[int] = []

    @settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(REQUESTS)
    def one(request):
        path, method, raw, content_type, origin, host = request
        started = time.monotonic()
        reply = call(service.port, method, path, raw=raw, content_type=content_type, origin=origin,
                     host=host, timeout=10)
        assert time.monotonic() - started < 5
        assert reply.status < 500, (request, reply.status, reply.body[:300])
        if reply.status >= 400:
            assert reply.code, reply.body[:300]
        statuses.append(reply.status)

    one()
    assert len(set(statuses)) >= 5  # the fuzzer reached many different answers
    assert service.ops.key_uses == 0
    assert call(service.port, "GET", "/v1/status").status == 200
