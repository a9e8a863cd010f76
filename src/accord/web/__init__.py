"""The accord dashboard: ``accord serve`` (FastAPI + Jinja2 + htmx + plotly.js, all served
from the installed packages, never a CDN). See :mod:`accord.web.app`."""

from __future__ import annotations

from accord.web.app import create_app
from accord.web.store import Limits

__all__ = ["Limits", "create_app", "serve"]


def serve(host: str = "127.0.0.1", port: int = 8000, limits: Limits | None = None,
          ledger_url: str | None = None, calibration: str | None = "shipped",
          token: str | None = None, allow_hosts: tuple[str, ...] = ()) -> None:
    """Run the dashboard until interrupted (binds 127.0.0.1 unless told otherwise).

    It answers only for the bound host, this machine's loopback names and ``allow_hosts``
    (DNS rebinding); with ``token``, only to requests that carry it (:mod:`accord.web.guard`).
    """
    import uvicorn

    from accord.web.guard import LOOPBACK

    hosts = {host, *LOOPBACK, *allow_hosts} - {"0.0.0.0", "::"}
    uvicorn.run(create_app(limits, ledger_url, calibration, hosts=sorted(hosts), token=token,
                           start_workers=True),
                host=host, port=port, log_level="warning")
