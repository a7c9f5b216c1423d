"""Typed failures of login-token verification: each class has one catalogue code (resources/messages/login.toml),
so a relying party can catch a kind of failure and show its 提示/说明/解决方案."""

from __future__ import annotations

from typing import Any

from helper.messages import HelperError


class AuthTokenError(HelperError):
    """Base of every verification failure; ``code`` is fixed by the subclass."""

    default_code = "AUTH_TOKEN_INVALID"

    def __init__(self, **params: Any) -> None:
        super().__init__(self.default_code, **params)


class TokenMalformed(AuthTokenError):
    """Not a token of a supported format (too large, wrong fields, format, encoding)."""

    default_code = "AUTH_TOKEN_INVALID"


class TokenSignatureInvalid(AuthTokenError):
    """The signature does not cover this origin and nonce with the certificate's key."""

    default_code = "AUTH_TOKEN_SIGNATURE_INVALID"


class CertificateUntrusted(AuthTokenError):
    default_code = "AUTH_TOKEN_CERT_UNTRUSTED"


class CertificateExpired(AuthTokenError):
    default_code = "AUTH_TOKEN_CERT_EXPIRED"


class CertificateWrongPurpose(AuthTokenError):
    default_code = "AUTH_TOKEN_CERT_USAGE"


class CertificateRevoked(AuthTokenError):
    default_code = "AUTH_TOKEN_CERT_REVOKED"


class RevocationUnavailable(AuthTokenError):
    """Neither the OCSP responder nor the CRL gave a usable answer (hard-fail mode)."""

    default_code = "AUTH_TOKEN_REVOCATION_UNKNOWN"


class RevocationResponseInvalid(AuthTokenError):
    """An OCSP response or CRL that fails its checks (signature, responder, nonce, certificate)."""

    default_code = "AUTH_TOKEN_REVOCATION_INVALID"


class OriginInvalid(AuthTokenError):
    """The relying party's own origin is not an https origin (http only for loopback, when allowed)."""

    default_code = "AUTH_ORIGIN_INVALID"


class NonceInvalid(AuthTokenError):
    default_code = "AUTH_NONCE_INVALID"


class NonceExpired(AuthTokenError):
    default_code = "AUTH_NONCE_EXPIRED"


class NonceUnknown(AuthTokenError):
    """Never issued here, or already used."""

    default_code = "AUTH_NONCE_UNKNOWN"
