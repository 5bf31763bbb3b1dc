"""A small OpenID Connect provider on a local port, for social-login tests.

It speaks the real protocol — discovery, the authorization-code flow with PKCE, client
authentication (secret in the body or HTTP Basic), RS256 ID tokens published as a JWKS,
and userinfo — so allauth's real OAuth2/OIDC code runs against it over HTTP. The
"signed-in person" at the provider is whoever the test puts in `next_user`; the consent
screen is skipped (the authorize endpoint answers with the redirect at once).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.fakes import serve_in_thread


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    claims: dict[str, Any]
    nonce: str | None
    code_challenge: str | None
    scope: str


@dataclass
class FakeOIDCProvider:
    client_id: str = "studio-finder-test"
    client_secret: str = "s3cret-for-tests"
    next_user: dict[str, Any] = field(
        default_factory=lambda: {
            "sub": "oidc-user-1",
            "email": "sso.person@example.com",
            "email_verified": True,
            "name": "Sso Person",
            "preferred_username": "ssoperson",
        }
    )
    requests: list[str] = field(default_factory=list)  # "GET /authorize", ... in order

    def __post_init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = secrets.token_hex(8)
        self._grants: dict[str, _Grant] = {}
        self._access_tokens: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle -----------------------------------------------------------------

    @property
    def issuer(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeOIDCProvider:
        provider = self

        class Handler(_Handler):
            oidc = provider

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        serve_in_thread(self._server)
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # --- protocol pieces -----------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        jwk.update({"kid": self._kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def id_token(self, claims: dict[str, Any], *, audience: str, nonce: str | None = None) -> str:
        """An ID token signed with this provider's key — also what a native app would
        get from the provider's SDK before posting it to /_allauth/app/v1/auth/provider/token."""
        now = int(time.time())
        payload = {
            **claims,
            "iss": self.issuer,
            "aud": audience,
            "iat": now,
            "exp": now + 600,
            "jti": secrets.token_hex(8),
        }
        if nonce:
            payload["nonce"] = nonce
        return jwt.encode(payload, self._key, algorithm="RS256", headers={"kid": self._kid})

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return 400, {}, {"error": "invalid_request"}
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._grants[code] = _Grant(
                client_id=query["client_id"],
                redirect_uri=query["redirect_uri"],
                claims=dict(self.next_user),
                nonce=query.get("nonce"),
                code_challenge=query.get("code_challenge"),
                scope=query.get("scope", ""),
            )
        params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        return 302, {"Location": f"{query['redirect_uri']}?{urlencode(params)}"}, None

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, Any]:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id or client_secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # codes are single-use
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        if grant.code_challenge:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if challenge != grant.code_challenge:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access_tokens[access_token] = grant.claims
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": grant.scope,
            "id_token": self.id_token(grant.claims, audience=client_id, nonce=grant.nonce),
        }

    def userinfo(self, authorization: str | None) -> tuple[int, Any]:
        token = (authorization or "").removeprefix("Bearer ").strip()
        with self._lock:
            claims = self._access_tokens.get(token)
        if claims is None:
            return 401, {"error": "invalid_token"}
        return 200, claims


class _Handler(BaseHTTPRequestHandler):
    oidc: FakeOIDCProvider

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        return

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.oidc.requests.append(f"GET {url.path}")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self._send(200, self.oidc.discovery())
        elif url.path == "/jwks":
            self._send(200, self.oidc.jwks())
        elif url.path == "/authorize":
            status, headers, body = self.oidc.authorize(query)
            self._send(status, body, headers)
        elif url.path == "/userinfo":
            self._send(*self.oidc.userinfo(self.headers.get("Authorization")))
        else:
            self._send(404, {"error": "not_found"})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        self.oidc.requests.append(f"POST {url.path}")
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if url.path == "/token":
            self._send(*self.oidc.token(form, self.headers.get("Authorization")))
        else:
            self._send(404, {"error": "not_found"})
