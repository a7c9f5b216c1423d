"""Token layer figures: CLI cold start vs a bare python-pkcs11 enumeration, and TokenService overhead.

Prints, for one run on a fresh SoftHSM demo key:
- `cahelper tokens --json` / `cahelper certs` cold process time against `python -c "import pkcs11; enumerate"`
  (target ratios ≤ 1.5 and ≤ 1.6);
- 1,000 SHA-256 digest signatures through TokenService against direct python-pkcs11 calls
  (target overhead ≤ 10%);
- hot-plug latency: the key's folder moved away and back, time until the watcher reports it (target ≤ 1 s).
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helper.demo import environment, softhsm  # noqa: E402

BASELINE = """
import os
import pkcs11
for path in os.environ["CAHELPER_PKCS11_MODULE"].split(os.pathsep):  # the demo's modules, as the CLI loads them
    lib = pkcs11.lib(path)
    for slot in lib.get_slots(token_present=True):
        t = slot.get_token()
        t.label, t.serial, t.flags
"""


COLD_TARGETS = {"tokens --json": 1.5, "certs": 1.6}


def timed(commands: dict[str, list[str]], env: dict[str, str], runs: int = 15) -> dict[str, float]:
    """Median wall time per command; runs are interleaved so machine load affects all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def cold_start(env: dict[str, str]) -> None:
    python = sys.executable
    # an installed helper ships compiled bytecode: compile ours as the installer would
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "tokenio"), str(ROOT / "helper")], check=True)
    times = timed({
        "baseline": [python, "-c", BASELINE],
        "tokens --json": [python, "-m", "helper.cli.main", "tokens", "--json"],
        "certs": [python, "-m", "helper.cli.main", "certs"],
    }, env)
    base = times.pop("baseline")
    print(f"baseline python + pkcs11 enumeration: {base * 1000:7.1f} ms")
    for name, t in times.items():
        target = COLD_TARGETS[name]
        print(f"cahelper {name:<13}                  : {t * 1000:7.1f} ms   ratio {t / base:.2f} (target ≤ {target})")


def signing_overhead(env: environment.DemoEnvironment, n: int = 1000, rounds: int = 20) -> None:
    """Direct python-pkcs11 calls vs TokenService calls, interleaved in short rounds on the same key, so a
    burst of machine noise hits both alike; the median of the per-round ratios is the figure."""
    import pkcs11
    from pkcs11 import Mechanism

    from tokenio.session import TokenSession
    from tokenio.worker import TokenService

    digests = [hashlib.sha256(str(i).encode()).digest() for i in range(n // rounds)]
    prefix = bytes.fromhex("3031300d060960864801650304020105000420")
    service = TokenService((softhsm.SOFTHSM_MODULE,), use_registry=False)
    direct: list[float] = []
    through: list[float] = []
    with service.session(env.serial, bytearray(environment.DEMO_USER_PIN.encode())) as handle:
        key: pkcs11.PrivateKey = handle.run(TokenSession.find_key, b"\x01")

        def direct_loop(_ts: TokenSession) -> float:
            start = time.perf_counter()
            for d in digests:
                key.sign(prefix + d, mechanism=Mechanism.RSA_PKCS)
            return time.perf_counter() - start

        for _ in range(rounds):
            direct.append(handle.run(direct_loop))  # plain python-pkcs11, timed on the token thread itself
            start = time.perf_counter()
            for d in digests:
                handle.run(TokenSession.sign_digest, b"\x01", d, "rsa-pkcs1-sha256")
            through.append(time.perf_counter() - start)
    service.shutdown()
    total_direct, total_through = sum(direct), sum(through)
    ratios = sorted(t / d for t, d in zip(through, direct, strict=True))
    print(f"{n} RSA-2048 signatures, direct python-pkcs11 : {total_direct * 1000:8.1f} ms "
          f"({total_direct / n * 1000:.3f} ms each)")
    print(f"{n} RSA-2048 signatures, through TokenService: {total_through * 1000:8.1f} ms "
          f"({total_through / n * 1000:.3f} ms each)")
    print(f"TokenService overhead: median of {rounds} rounds {(statistics.median(ratios) - 1) * 100:+.1f}% "
          f"(rounds {(ratios[0] - 1) * 100:+.1f}% .. {(ratios[-1] - 1) * 100:+.1f}%, "
          f"total {(total_through / total_direct - 1) * 100:+.1f}%; target ≤ 10%)")


def hot_plug_latency(env: environment.DemoEnvironment, rounds: int = 10) -> None:
    """Unplug and re-plug the demo key; time from the change on disk to the watcher's report."""
    import queue

    from tokenio.watch import TokenChange, TokenWatcher
    from tokenio.worker import TokenService

    service = TokenService((softhsm.SOFTHSM_MODULE,), use_registry=False)
    changes: queue.Queue[tuple[float, TokenChange]] = queue.Queue()
    watcher = TokenWatcher(service, lambda change: changes.put((time.perf_counter(), change)))
    watcher.poll_once()
    watcher.start()
    removed: list[float] = []
    inserted: list[float] = []
    with tempfile.TemporaryDirectory() as stash:
        for _ in range(rounds):
            time.sleep(random.uniform(0, watcher.interval))  # any phase of the poll cycle
            start = time.perf_counter()
            stashed = softhsm.unplug(env.softhsm_conf, env.serial, Path(stash))
            seen, change = changes.get(timeout=10)
            assert [t.serial for t in change.removed] == [env.serial]
            removed.append(seen - start)
            time.sleep(random.uniform(0, watcher.interval))
            start = time.perf_counter()
            softhsm.plug_back(env.softhsm_conf, stashed)
            seen, change = changes.get(timeout=10)
            assert [t.serial for t in change.inserted] == [env.serial]
            inserted.append(seen - start)
    watcher.stop()
    service.shutdown()
    for name, values in (("removal", removed), ("insertion", inserted)):
        print(f"hot-plug {name:<9} seen after: median {statistics.median(values) * 1000:6.0f} ms, "
              f"max {max(values) * 1000:6.0f} ms (target ≤ 1000 ms, poll interval {watcher.interval * 1000:.0f} ms)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env, _ = environment.ensure(Path(tmp) / "demo")
        env.activate()
        run_env = {**os.environ, **env.env}
        cold_start(run_env)
        signing_overhead(env)
        hot_plug_latency(env)


if __name__ == "__main__":
    main()
