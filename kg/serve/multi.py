"""Run the endpoint in one or more HTTP processes sharing one listening socket.

The socket is bound once, then the process forks ``processes - 1`` times;
each process runs uvicorn on the shared socket (the kernel spreads the
connections) and starts its own query workers. The first process stops the
others when it stops, and each of them stops if the first one dies.
"""
from __future__ import annotations

import os
import signal
import socket
import sys


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _die_with_parent() -> None:
    """Ask Linux to send SIGTERM here if the first process dies (no-op elsewhere)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _terminate(children: list[int]) -> None:
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def _run(app, sock: socket.socket, access_log: bool) -> None:
    import uvicorn

    from .http import protocol

    config = uvicorn.Config(app, http=protocol(), access_log=access_log, log_level="info" if access_log else "warning")
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:  # as uvicorn.run does: the app failed to start (its log says why)
        raise SystemExit(3)


def serve_processes(app, host: str, port: int, processes: int, workers: int, access_log: bool, started) -> None:
    """Serve ``app`` on host:port from ``processes`` processes that share
    ``workers`` query workers out; ``started(port)`` is told the bound port."""
    try:
        sock = _bind(host, port)
    except OSError as exc:
        from ..errors import KGError

        raise KGError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; is another server using the port?") from None
    started(sock.getsockname()[1])
    children = []
    app.state.pool.size = workers // processes + (workers % processes > 0)
    parent = os.getpid()

    def stop(signum, frame) -> None:
        """A SIGTERM or SIGINT before uvicorn takes over the signals (or after it gives them back):
        stop the children, then die of the signal as before. Raising here instead would
        not do: an exception from a signal handler may be swallowed by the event loop."""
        _terminate(children)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    try:
        for index in range(1, processes):
            pid = os.fork()
            if pid == 0:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                _die_with_parent()
                if os.getppid() != parent:  # the parent died before the line above: nobody would stop this one
                    os._exit(0)
                app.state.pool.size = workers // processes + (workers % processes > index)
                code = 0
                try:
                    _run(app, sock, access_log)
                except BaseException:  # noqa: BLE001 - a child must never return into the parent's code
                    code = 1
                finally:
                    sys.stderr.flush()
                    os._exit(code)
            children.append(pid)
        _run(app, sock, access_log)
    finally:
        _terminate(children)
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        sock.close()
