"""Local service figures, on a fresh SoftHSM demo key:

- ``POST /v1/auth`` round trip, 200 sequential requests, consent answered at once by an in-process UI, against
  a bare aiohttp JSON echo endpoint in the same run; plus the key work alone (enumerate certificates, log
  in, sign the token, log out) without HTTP. Target: auth p50 − echo p50 − key work p50 ≤ 2 ms.
- ``GET /v1/status`` under 50 concurrent clients for 10 s: errors, p50/p99, throughput.
Clients run in the same process as the servers (one GIL), so absolute figures are pessimistic.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ORIGIN = "https://bench.example"


class InstantConsent:
    """The benchmark's own in-process ConsentUI: approves with the demo PIN at once."""

    def __init__(self, pin: str, cert_id: str) -> None:
        self.pin, self.cert_id = pin, cert_id

    def ask(self, request):
        from helper.login.consent import ConsentAnswer

        return ConsentAnswer(True, self.cert_id, bytearray(self.pin.encode()))

    def cancel(self) -> None:
        pass


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def fmt(name: str, values: list[float]) -> str:
    return (f"{name:<34} p50 {statistics.median(values) * 1000:7.2f} ms   p99 {percentile(values, 0.99) * 1000:7.2f} ms"
            f"   (n={len(values)})")


def sequential(port: int, path: str, body: dict, n: int, body_fn=None) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for _ in range(n):
        data = json.dumps(body_fn() if body_fn else body).encode()
        start = time.perf_counter()
        conn.request("POST", path, data, {"Host": f"127.0.0.1:{port}", "Origin": ORIGIN,
                                          "Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        times.append(time.perf_counter() - start)
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}: {payload[:200]!r}")
    conn.close()
    return times


def start_echo():
    from aiohttp import web

    from helper.login.threaded import LoopThread

    async def echo(request: web.Request) -> web.Response:
        return web.json_response(await request.json())

    app = web.Application()
    app.router.add_post("/echo", echo)
    runner = web.AppRunner(app, access_log=None)
    holder = {}

    async def up() -> None:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        holder["port"] = runner.addresses[0][1]

    thread = LoopThread("echo")
    thread.start(up, runner.cleanup)
    return thread, holder["port"]


def key_work(keys, cert_id: str, pin: str, n: int) -> tuple[list[float], list[float]]:
    """(full key work per token, signature alone) without HTTP."""
    from helper.login.token import sign_token

    full, sign_only = [], []
    for _ in range(n):
        nonce = base64.b64encode(os.urandom(32)).decode()
        start = time.perf_counter()
        entry = next(e for e in keys.certificates() if e.id == cert_id)
        login = keys.login(entry.token.serial, bytearray(pin.encode()))
        s0 = time.perf_counter()
        login.session.run(sign_token, entry.cka_id, entry.info.der, entry.info.key_algorithm, ORIGIN, nonce)
        sign_only.append(time.perf_counter() - s0)
        login.session.close()
        full.append(time.perf_counter() - start)
    return full, sign_only


async def status_load(port: int, clients: int = 50, seconds: float = 10.0) -> tuple[list[float], int, int]:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    headers = {"Origin": ORIGIN}

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                async with session.get(f"http://127.0.0.1:{port}/v1/status", headers=headers) as r:
                    await r.read()
                    if r.status != 200:
                        errors += 1
            except aiohttp.ClientError:
                errors += 1
            latencies.append(time.perf_counter() - start)

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(client(session) for _ in range(clients)))
    return latencies, errors, len(latencies)


def main() -> None:
    from helper import settings
    from helper.demo import environment
    from helper.keys import KeyService, make_service
    from helper.login.keyops import Limits
    from helper.login.service import LocalService, ServiceConfig

    with tempfile.TemporaryDirectory() as tmp:
        env, _ = environment.ensure(Path(tmp) / "demo")
        env.activate()
        settings.update(approved_origins=(ORIGIN,))
        tokens = make_service()
        keys = KeyService(tokens)
        rsa = next(e for e in keys.certificates() if e.info and e.info.key_algorithm == "RSA" and e.info.is_signing)
        ui = InstantConsent(environment.DEMO_USER_PIN, rsa.id)
        service = LocalService(keys, ui, ServiceConfig(port=0, limits=Limits(rate_max=10**6)),
                               extra_origins=(ORIGIN,))
        service.start()
        echo_thread, echo_port = start_echo()
        try:
            n = 200
            def nonce() -> dict:
                return {"nonce": base64.b64encode(os.urandom(32)).decode(), "certificateId": rsa.id}

            sequential(service.port, "/v1/auth", {}, 5, nonce)  # warm-up
            sequential(echo_port, "/echo", nonce(), 5)
            auth = sequential(service.port, "/v1/auth", {}, n, nonce)
            echo = sequential(echo_port, "/echo", nonce(), n)
            full, sign_only = key_work(keys, rsa.id, environment.DEMO_USER_PIN, n)
            print("POST /v1/auth (RSA-2048 on SoftHSM), 200 sequential requests")
            print(fmt("  /v1/auth round trip", auth))
            print(fmt("  bare aiohttp echo round trip", echo))
            print(fmt("  key work alone (certs+login+sign)", full))
            print(fmt("  token signature alone", sign_only))
            overhead = statistics.median(auth) - statistics.median(echo) - statistics.median(full)
            print(f"  service overhead p50 beyond HTTP and key work: {overhead * 1000:.2f} ms (target ≤ 2 ms)")

            latencies, errors, count = asyncio.run(status_load(service.port))
            print("GET /v1/status, 50 concurrent clients for 10 s")
            print(fmt("  /v1/status", latencies))
            print(f"  requests {count}, errors {errors}, throughput {count / 10:.0f} req/s")
        finally:
            echo_thread.stop()
            service.stop()
            tokens.shutdown()


if __name__ == "__main__":
    main()
