"""Who may talk to the dashboard: the Host header, the origin of a post, and a token.

- **Host** (against DNS rebinding): with ``hosts`` given, a request whose ``Host`` header
  (without its port) is not one of them is refused with 421, so a page on another site
  that re-points its name at this machine cannot read the dashboard.
- **Origin** (against cross-site request forgery): a POST, PUT, PATCH or DELETE that carries
  an ``Origin`` (browsers send one with every cross-site post), or a ``Sec-Fetch-Site`` of
  ``cross-site``, from anywhere but this server is refused with 403. The JSON API also only
  takes ``application/json`` bodies (a simple cross-site form cannot send one) and no CORS
  header is ever sent.
- **Token** (for binding beyond this machine): with ``token`` given, every request needs it,
  as the ``accord_token`` cookie (``SameSite=Strict``, ``HttpOnly``; the dashboard asks for
  the token once, on ``/login``), or ``Authorization: Bearer TOKEN`` for scripts. Compared in
  constant time (:func:`hmac.compare_digest`).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jinja2

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

COOKIE = "accord_token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

_LOGIN = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>accord: token
</title></head><body><h1>accord</h1><p>This dashboard needs the token it was started with
(<code>accord serve --token</code> or <code>ACCORD_TOKEN</code>).</p>{error}
<form method="post" action="/login"><label>Token <input type="password" name="token"
autofocus></label> <button>Open the dashboard</button></form></body></html>"""


def host_name(header: str) -> str:
    """``example.org:8000`` -> ``example.org``; ``[::1]:8000`` -> ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class Guard:
    """ASGI middleware applying the three checks above (each only when configured)."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str] | None = None,
                 token: str | None = None):
        self.app = app
        self.hosts = None if hosts is None else {host_name(h) for h in hosts}
        self.token = token or None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers") or []}
        host = headers.get("host", "")
        if self.hosts is not None and host_name(host) not in self.hosts:
            await _answer(scope, send, 421, f"this server does not answer for the host name "
                          f"{host_name(host)!r}; it answers for: {', '.join(sorted(self.hosts))}"
                          " (accord serve --allow-host NAME adds one)")
            return
        if scope["method"] in _UNSAFE and not _same_origin(headers, host):
            await _answer(scope, send, 403, "a form or request from another site is refused "
                          "(cross-site request forgery protection)")
            return
        if self.token is not None and not self._authorised(headers):
            if scope["path"] == "/login":
                await self._login(scope, receive, send)
                return
            if scope["path"].startswith("/api/"):
                await _answer(scope, send, 401, "this server needs its token: send "
                              "'Authorization: Bearer TOKEN'")
            else:
                await _html(send, 401, _LOGIN.format(error=""))
            return
        await self.app(scope, receive, send)

    def _matches(self, given: str) -> bool:
        assert self.token is not None
        return hmac.compare_digest(given.encode("utf-8", "replace"),
                                   self.token.encode("utf-8"))

    def _authorised(self, headers: dict[str, str]) -> bool:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and self._matches(auth[7:].strip()):
            return True
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE and self._matches(value):
                return True
        return False

    async def _login(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["method"] != "POST":
            await _html(send, 200, _LOGIN.format(error=""))
            return
        body = b""
        more = True
        while more and len(body) < 10_000:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        given = parse_qs(body.decode("utf-8", "replace")).get("token", [""])[0]
        if not self._matches(given):
            await _html(send, 401, _LOGIN.format(error="<p><strong>That is not the token."
                                                 "</strong></p>"))
            return
        cookie = f"{COOKIE}={given}; Path=/; HttpOnly; SameSite=Strict"
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", b"/"), (b"set-cookie", cookie.encode()),
                                (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


def _same_origin(headers: dict[str, str], host: str) -> bool:
    """A post from this server's own pages (or from a program that is no browser)."""
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True  # no browser sends a cross-site post without an Origin
    if origin == "null":  # an opaque origin (a sandbox, a privacy setting): trust only
        return site is not None  # what the browser says of the site
    return urlsplit(origin).netloc.lower() == host.lower()


async def _answer(scope: Scope, send: Any, status: int, text: str) -> None:
    if scope.get("path", "").startswith("/api/"):
        import json

        body = json.dumps({"detail": text, "problems": []}).encode()
        await _send(send, status, body, b"application/json")
    else:
        await _html(send, status, f"<!doctype html><p>{jinja2.utils.markupsafe.escape(text)}"
                                  "</p>")


async def _html(send: Any, status: int, text: str) -> None:
    await _send(send, status, text.encode(), b"text/html; charset=utf-8")


async def _send(send: Any, status: int, body: bytes, kind: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
