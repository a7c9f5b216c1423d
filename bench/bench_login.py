"""Local service figures, on a fresh SoftHSM demo key:

- ``POST /v1/auth`` round trip, 200 sequential requests, consent answered at once by an in-process UI, against
  a bare aiohttp JSON echo endpoint in the same run; plus the key work alone (enumerate certificates, log
  in, sign the token, log out) without HTTP. Target: auth p50 − echo p50 − key work p50 ≤ 2 ms.
- ``GET /v1/status`` under 50 concurrent clients for 10 s: errors, p50/p99, throughput.
- Slow clients: ``cahelper serve`` in its own process with RLIMIT_NOFILE 1024 (a common desktop default), then
  600 and 1000 connections that send nothing or trickle header bytes: ``/v1/status`` latency against the same
  process without them (ratio), how long until the service closed every slow socket, tracebacks logged.
- Large bodies: three parallel 265 MB (just within the 200 MB PDF limit) ``/v1/sign-pdf`` bodies from an allowed origin against a service in its
  own process: how many were read, how many refused before reading, the process's peak RSS, and the longest
  ``/v1/status`` answer meanwhile (event-loop stall).
Clients of the first two run in the same process as the servers (one GIL), so those figures are pessimistic.
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

    def cancel(self, *, stopping: bool = False) -> None:
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


# --- slow clients and large bodies against a service in its own process -----------------------------
def status_once(port: int) -> float:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/v1/status", headers={"Host": f"127.0.0.1:{port}"})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise SystemExit(f"/v1/status answered {response.status}")
    return time.perf_counter() - start


def start_serve(env: dict[str, str], *args: str):
    """`cahelper serve` (or this file's --body-service) with 1024 file descriptors; (process, port)."""
    import re
    import subprocess

    command = args or ("-m", "helper.cli.main", "serve", "--port", "0")
    proc = subprocess.Popen(["prlimit", "--nofile=1024:1024", sys.executable, *command], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**env, "PYTHONPATH": str(ROOT)},
                            start_new_session=True, cwd=ROOT)
    for line in proc.stdout:
        found = re.search(rb"http://127\.0\.0\.1:(\d+)", line)
        if found:
            return proc, int(found.group(1))
    raise SystemExit("the service did not start")


def slow_flood(port: int, count: int, seconds: float = 25.0) -> tuple[list[float], float | None]:
    """Hold ``count`` slow connections (half idle, half trickling a header byte every 0.5 s) while asking
    /v1/status; (latencies, seconds until the service had closed them all, None if it did not)."""
    import socket

    conns = []
    started = time.perf_counter()
    for n in range(count):
        conn = socket.create_connection(("127.0.0.1", port), timeout=5)
        if n % 2:
            conn.send(b"GET /v1/status HTTP/1.1\r\n")
        conn.setblocking(False)
        conns.append(conn)
    latencies, open_ = [], set(range(count))
    closed_after = None
    while time.perf_counter() - started < seconds:
        latencies.append(status_once(port))
        for n in list(open_):
            try:
                if conns[n].recv(1) == b"":
                    open_.discard(n)
                elif n % 2:
                    conns[n].send(b"X")
            except BlockingIOError:
                if n % 2:
                    try:
                        conns[n].send(b"X")
                    except OSError:
                        open_.discard(n)
            except OSError:
                open_.discard(n)
        if not open_ and closed_after is None:
            closed_after = time.perf_counter() - started
            break
        time.sleep(0.25)
    for conn in conns:
        conn.close()
    return latencies, closed_after


def slow_clients(env: dict[str, str]) -> None:
    proc, port = start_serve(env)
    try:
        baseline = [status_once(port) for _ in range(40)]
        print("Slow clients against `cahelper serve` with RLIMIT_NOFILE 1024")
        print(fmt("  /v1/status, no other clients", baseline))
        for count in (600, 1000):
            latencies, closed_after = slow_flood(port, count)
            ratio = statistics.median(latencies) / statistics.median(baseline)
            print(fmt(f"  /v1/status, {count} slow connections", latencies)
                  + f"   p50 ratio {ratio:.1f}x, max {max(latencies) * 1000:.0f} ms")
            closed = f"{closed_after:.1f} s" if closed_after is not None else "NOT within 25 s"
            print(f"    every slow socket closed by the service after: {closed}")
    finally:
        proc.terminate()
        out = proc.communicate(timeout=15)[0].decode("utf-8", "replace")
    print(f"  tracebacks in the service's output: {out.count('Traceback')}")


class DecliningConsent:
    def ask(self, request):
        from helper.login.consent import DENIED

        return DENIED

    def cancel(self, *, stopping: bool = False) -> None:
        pass


def body_service() -> None:
    """--body-service: a local service whose user declines everything (this bench's large-body target). It
    prints the longest event-loop lag seen so far every half second ("lag 0.012")."""
    from helper.keys import KeyService, make_service
    from helper.local_service import LocalService, ServiceConfig
    from helper.login.keyops import Limits

    tokens = make_service()
    service = LocalService(KeyService(tokens), DecliningConsent(), ServiceConfig(port=0, limits=Limits(rate_max=10**6)),
                           extra_origins=(ORIGIN,))

    async def run() -> None:
        await service.start_async()
        print(service.url, flush=True)
        worst, tick = 0.0, 0.01
        while True:
            started = time.perf_counter()
            await asyncio.sleep(tick)
            worst = max(worst, time.perf_counter() - started - tick)
            if int(started * 2) != int(time.perf_counter() * 2):
                print(f"lag {worst:.3f}", flush=True)

    asyncio.run(run())


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def large_bodies(env: dict[str, str]) -> None:
    import concurrent.futures
    import socket
    import threading

    proc, port = start_serve(env, str(Path(__file__).resolve()), "--body-service")
    body = b'{"pdf": "' + base64.b64encode(b"%PDF-1.7\n" + b"\0" * (265 * 1024 * 1024 * 3 // 4 - 9)) + b'"}'
    idle_rss = peak_rss_mb(proc.pid)

    def send() -> tuple[str, float]:
        start = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port), timeout=120) as conn:
            head = (f"POST /v1/sign-pdf HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {ORIGIN}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
            conn.sendall(head)
            try:
                conn.sendall(body)
            except OSError:
                pass  # refused before the body was read, and the connection closed
            reply = b""
            while chunk := conn.recv(65536):
                reply += chunk
        code = json.loads(reply.split(b"\r\n\r\n", 1)[1]).get("code", "?")
        return code, time.perf_counter() - start

    stalls: list[float] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            stalls.append(status_once(port))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            results = list(pool.map(lambda _: send(), range(3)))
    finally:
        done.set()
        watcher.join()
        rss = peak_rss_mb(proc.pid)
        proc.terminate()
        log = proc.communicate(timeout=15)[0].decode("utf-8", "replace")
    lags = [float(line.split()[1]) for line in log.splitlines() if line.startswith("lag ")]
    print(f"Three parallel {len(body) / 2**20:.0f} MB /v1/sign-pdf bodies (allowed origin, user declines)")
    for code, seconds in results:
        print(f"  answered {code:<16} after {seconds:5.1f} s")
    print(f"  service peak RSS {rss:.0f} MB (idle {idle_rss:.0f} MB); longest event-loop stall in the service "
          f"{max(lags, default=float('nan')) * 1000:.0f} ms; longest /v1/status seen by this (busy) client "
          f"{max(stalls) * 1000:.0f} ms (n={len(stalls)})")


def main() -> None:
    from helper import settings
    from helper.demo import environment
    from helper.keys import KeyService, make_service
    from helper.local_service import LocalService, ServiceConfig
    from helper.login.keyops import Limits

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
        slow_clients(dict(os.environ))
        large_bodies(dict(os.environ))


if __name__ == "__main__":
    body_service() if sys.argv[1:] == ["--body-service"] else main()
