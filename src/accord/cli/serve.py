"""``accord serve``: the dashboard in a browser."""

from typing import Annotated

import typer

from accord.cli.common import app, err, user_errors
from accord.cli.options import CalibrationFile, LedgerUrl
from accord.errors import UserError


def check_port(host: str, port: int) -> None:
    """Raise a ``UserError`` unless ``host:port`` can be listened on now.

    Binds a socket the way uvicorn does (SO_REUSEADDR, so a port in TIME_WAIT counts as
    free) and closes it; a port another program listens on, or an address that is not this
    machine's, is a clear message instead of uvicorn's traceback after the banner.
    """
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise UserError(f"--host {host!r}: not an address of this machine ({e.strerror})"
                        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as e:
            raise UserError(f"cannot listen on {host}:{port}: {e.strerror or e} (is another "
                            "program using the port? choose another with --port)") from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(
        help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    ledger: LedgerUrl = None,
    calibration: CalibrationFile = "shipped",
    token: Annotated[str | None, typer.Option(
        envvar="ACCORD_TOKEN", help="Token every request must carry (the browser asks once); "
        "required with a --host beyond this machine. Env: ACCORD_TOKEN.")] = None,
    allow_host: Annotated[list[str] | None, typer.Option(
        help="Another host name the dashboard answers for (repeatable); others are refused "
        "(DNS rebinding).")] = None,
    job_seconds: Annotated[float, typer.Option(
        min=0.1, help="Wall-clock seconds a forecast may run; its worker process is then "
        "killed and the request answered 422.")] = 120.0,
    cost_seconds: Annotated[float, typer.Option(
        min=0.0, help="Estimated CPU seconds a forecast may need (from each model's declared "
        "cost); larger ones are refused with 422 before they start.")] = 120.0,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Worker processes running forecasts at once.")] = 1,
) -> None:
    """Run the dashboard in a browser: edit, forecast, see the figures, download.

    Open http://HOST:PORT/ in a browser; Ctrl-C stops it. On this machine (the default
    host) no token is needed; to listen beyond it, give --token (or ACCORD_TOKEN).
    """
    from accord.analysis import calibration as calibrations

    with user_errors():
        calibrations.load(calibration)  # a bad file is a clear message before the banner
    from accord.web.guard import LOOPBACK

    with user_errors():
        if host not in LOOPBACK and not token:
            raise UserError(f"--host {host} listens beyond this machine: give a token with "
                            "--token TOKEN or the ACCORD_TOKEN environment variable")
        check_port(host, port)
    from accord.web import serve as run_server

    err.print(f"accord dashboard on http://{host}:{port}/ (Ctrl-C to stop)")
    if token:
        err.print("a token is required: the browser asks for it once (or send "
                  "'Authorization: Bearer TOKEN')")
    from accord.web import Limits

    limits = Limits(max_job_seconds=job_seconds, max_cost_seconds=cost_seconds,
                    workers=workers)
    run_server(host=host, port=port, limits=limits, ledger_url=ledger, calibration=calibration,
               token=token, allow_hosts=tuple(allow_host or ()))
