"""Shared fixtures: a fresh demo PKI, SoftHSM tokens and an opencryptoki token per test session.

Test modules import constants and helpers from tests.support, never from this file (importing a
conftest a second time would re-run its set-up).

Nothing touches the user's real profile: CAHELPER_HOME and SOFTHSM2_CONF point into temp folders
for the whole session. PINs here are fixtures of test tokens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

if __name__ != "conftest":
    raise ImportError("import test helpers from tests.support, not from tests.conftest")

ROOT = Path(__file__).resolve().parents[1]
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="cahelper-tests-"))
os.environ["CAHELPER_HOME"] = str(_SESSION_DIR / "home")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("CAHELPER_PKCS11_MODULE", None)

from helper.demo import softhsm  # noqa: E402
from helper.demo.pki import DemoPKI  # noqa: E402
from helper.demo.token import DEMO_SO_PIN, DEMO_USER_PIN, IssuedKey, provision  # noqa: E402
from tests.support import OCK_SLOT, OCK_SO_PIN, OCK_USER_PIN, OPENCRYPTOKI, SOFTHSM  # noqa: E402
from tokenio.worker import TokenService  # noqa: E402

_CONF = softhsm.configure(_SESSION_DIR / "softhsm")
softhsm.use(_CONF)


@dataclass(frozen=True)
class TestToken:
    serial: str
    label: str
    pin: str
    so_pin: str
    keys: tuple[IssuedKey, ...]
    module: str = SOFTHSM

    def cert(self, n: int = 0) -> bytes:
        return self.keys[n].cert_der


@pytest.fixture(scope="session")
def session_dir() -> Path:
    return _SESSION_DIR


@pytest.fixture(scope="session")
def softhsm_conf() -> Path:
    return _CONF


@pytest.fixture(scope="session")
def demo_pki(session_dir: Path) -> DemoPKI:
    pki = DemoPKI.create()
    pki.write(session_dir / "pki")
    ca_dir = Path(os.environ["CAHELPER_HOME"]) / "data" / "ca"
    ca_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(session_dir / "pki" / "root.pem", ca_dir / "demo-root.pem")
    shutil.copy(session_dir / "pki" / "ca.pem", ca_dir / "demo-ca.pem")
    return pki


@pytest.fixture(scope="session")
def token_service() -> Iterator[TokenService]:
    """One TokenService on SoftHSM for the whole session (as the app has one)."""
    service = TokenService((SOFTHSM,), use_registry=False)
    yield service
    service.shutdown()


@pytest.fixture(scope="session")
def make_token(softhsm_conf: Path, demo_pki: DemoPKI, token_service: TokenService) -> Callable[..., TestToken]:
    """Factory: a fresh SoftHSM token provisioned like a company key (RSA + EC signing, RSA encryption)."""
    counter = iter(range(1, 10_000))

    def factory(label: str | None = None, *, keys=(("rsa2048", "sign"), ("ec-p256", "sign"), ("rsa2048", "enc")),
                days: int = 365, subject=None, user_pin: str = DEMO_USER_PIN) -> TestToken:
        label = label or f"测试U盾{next(counter)}"
        serial = softhsm.init_token(softhsm_conf, label, user_pin, DEMO_SO_PIN)
        issued = provision(token_service, serial, demo_pki, pin=user_pin, keys=keys, days=days, subject=subject)
        return TestToken(serial, label, user_pin, DEMO_SO_PIN, tuple(issued))

    return factory


@pytest.fixture(scope="session")
def demo_token(make_token) -> TestToken:
    """A shared company key: do not change its PIN or objects (use make_token for that)."""
    return make_token("石家庄示例科技-U盾")


_OCK_STATE = (Path("/var/lib/opencryptoki/swtok"), Path("/dev/shm/var.lib.opencryptoki.swtok"))
_OCK_PID = Path("/var/run/pkcsslotd.pid")


def _running_slot_daemon() -> bool:
    """Whether a pkcsslotd (anyone's) is serving: its pid file names a live process."""
    try:
        os.kill(int(_OCK_PID.read_text().strip()), 0)
        return True
    except (OSError, ValueError):
        return False


@pytest.fixture(scope="session")
def opencryptoki_token(session_dir: Path) -> Iterator[TestToken]:
    """The opencryptoki soft token (slot 3), freshly initialised: it really locks after wrong PINs.

    opencryptoki's paths are compiled in (/etc/opencryptoki, /var/lib/opencryptoki, /var/run/pkcsslotd.*):
    no variable points pkcsslotd or the library at a private folder, and a private mount namespace would
    have to hold the whole test process, which loads the library itself. So the soft token's own store is
    copied away first and put back afterwards; a pkcsslotd already running is used, not killed; one this
    fixture starts (in the foreground, so its PID is known) is the only one it stops.
    """
    if os.geteuid() != 0:
        pytest.fail("opencryptoki tests need root (pkcsslotd and its token folder)")
    backup = session_dir / "opencryptoki-backup"
    backup.mkdir()
    for path in _OCK_STATE:
        if path.exists():
            subprocess.run(["cp", "-a", str(path), str(backup)], check=True)
    swtok, shared = _OCK_STATE
    if swtok.exists():
        for child in swtok.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        (swtok / "TOK_OBJ").mkdir(exist_ok=True)
    shared.unlink(missing_ok=True)  # the token's state in shared memory goes with its files
    own = None
    if not _running_slot_daemon():
        own = subprocess.Popen(["pkcsslotd", "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if _running_slot_daemon():
                break
            time.sleep(0.05)
    try:
        yield from _initialised_ock_token()
    finally:
        if own is not None:
            own.terminate()
            own.wait(10)
        for path in _OCK_STATE:
            saved = backup / path.name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
            if saved.exists():
                subprocess.run(["cp", "-a", str(saved), str(path.parent)], check=True)


def _initialised_ock_token() -> Iterator[TestToken]:
    subprocess.run(["pkcsconf", "-I", "-c", OCK_SLOT, "-S", "87654321"], input="cahelper-ock\n", text=True,
                   check=True, capture_output=True)
    subprocess.run(["pkcsconf", "-P", "-c", OCK_SLOT, "-S", "87654321", "-n", OCK_SO_PIN], check=True,
                   capture_output=True)
    subprocess.run(["pkcsconf", "-u", "-c", OCK_SLOT, "-S", OCK_SO_PIN, "-n", OCK_USER_PIN], check=True,
                   capture_output=True)
    yield TestToken("123", "cahelper-ock", OCK_USER_PIN, OCK_SO_PIN, (), OPENCRYPTOKI)


@pytest.fixture(scope="session")
def ock_service(opencryptoki_token: TestToken) -> Iterator[TokenService]:
    service = TokenService((OPENCRYPTOKI,), use_registry=False)
    yield service
    service.shutdown()


@pytest.fixture()
def cli_env(demo_pki) -> dict[str, str]:
    """Environment for running `cahelper` in a subprocess on the test SoftHSM tokens."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["CAHELPER_PKCS11_MODULE"] = SOFTHSM
    return env


@pytest.fixture()
def run_cli(cli_env) -> Callable[..., subprocess.CompletedProcess]:
    """Run `cahelper ARGS` as a user would; ``stdin`` feeds --pin-stdin."""

    def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "helper.cli.main", *args], input=stdin, text=True,
                              capture_output=True, env={**cli_env, **(env or {})}, timeout=120)

    return run


_exit_status: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _exit_status.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """End the run with pytest's own status once everything is torn down and reported: vendor PKCS#11 modules
    and Qt threads still loaded at interpreter shutdown can abort the finalisation of a finished run."""
    if _exit_status:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status[0])
