"""The demo portal's server-side state: accounts, certificate bindings, sessions (with CSRF tokens), nonces.

In memory: the demo starts fresh each time. Passwords are stored as PBKDF2 hashes like a real site would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass, field

from helper.login.verify import VerifiedLogin

DEMO_USERNAME = "sjz_demo"
DEMO_PASSWORD = "Demo@2024"
DEMO_ACCOUNT_UNIT = "石家庄示例科技有限公司"
NONCE_TTL = 120.0
SESSION_TTL = 30 * 60.0


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, 100_000)


@dataclass
class Account:
    username: str
    unit: str
    salt: bytes
    password_hash: bytes

    def check(self, password: str) -> bool:
        return hmac.compare_digest(self.password_hash, _hash(password, self.salt))


@dataclass
class Session:
    sid: str
    csrf: str
    expires: float
    user: str | None = None
    login: VerifiedLogin | None = None  # the certificate that logged in (or waits for binding)
    uploads: list[dict] = field(default_factory=list)


class PortalState:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.accounts: dict[str, Account] = {}
        self.bindings: dict[str, str] = {}  # certificate SHA-256 -> username
        self.sessions: dict[str, Session] = {}
        self.nonces: dict[str, tuple[str, float]] = {}  # sid -> (its one live nonce, expires)
        self.add_account(DEMO_USERNAME, DEMO_PASSWORD, DEMO_ACCOUNT_UNIT)

    def add_account(self, username: str, password: str, unit: str) -> None:
        salt = os.urandom(16)
        self.accounts[username] = Account(username, unit, salt, _hash(password, salt))

    # --- sessions -------------------------------------------------------------------------------
    def session(self, sid: str | None) -> Session:
        """The live session ``sid``, or a new one."""
        now = time.monotonic()
        with self._lock:
            for key in [k for k, s in self.sessions.items() if s.expires < now]:
                del self.sessions[key]
            found = self.sessions.get(sid or "")
            if found is None:
                found = Session(secrets.token_urlsafe(24), secrets.token_urlsafe(24), now + SESSION_TTL)
                self.sessions[found.sid] = found
            found.expires = now + SESSION_TTL
            return found

    def end(self, sid: str) -> None:
        with self._lock:
            self.sessions.pop(sid, None)

    # --- nonces ---------------------------------------------------------------------------------
    def new_nonce(self, sid: str) -> str:
        """A fresh challenge for the session ``sid`` (replacing any earlier one), valid NONCE_TTL seconds."""
        nonce = base64.b64encode(os.urandom(32)).decode("ascii")
        with self._lock:
            now = time.monotonic()
            for key in [k for k, (_, exp) in self.nonces.items() if exp < now]:
                del self.nonces[key]
            self.nonces[sid] = (nonce, now + NONCE_TTL)
        return nonce

    def take_nonce(self, sid: str) -> str | None:
        """Single use: the session's live nonce, removed; None when there is none or it expired."""
        with self._lock:
            entry = self.nonces.pop(sid, None)
        return entry[0] if entry is not None and entry[1] >= time.monotonic() else None

    # --- binding ----------------------------------------------------------------------------------
    def bound_user(self, fingerprint: str) -> str | None:
        return self.bindings.get(fingerprint)

    def bind(self, fingerprint: str, username: str, password: str) -> bool:
        account = self.accounts.get(username)
        if account is None or not account.check(password):
            return False
        with self._lock:
            self.bindings[fingerprint] = username
        return True
