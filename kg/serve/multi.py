"""Run the endpoint in one or more HTTP processes sharing one listening socket.

The socket is bound once, then the process forks ``processes - 1`` times;
each process runs uvicorn on the shared socket (the kernel spreads the
connections) and starts its own query workers. The first process stops the
others when it stops, and each of them stops if the first one dies.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import socket
import sys

from kg.serve.http import Limits, protocol
from kg.serve.lifeline import die_with_parent


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _terminate(children: list[int]) -> None:
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def fit_open_files(limits: Limits, workers: int) -> Limits:
    """``limits`` with a connection cap that fits the open-files limit
    (``ulimit -n``), raised first as far as the hard limit allows: past it,
    accepting a connection would fail instead of answering 503."""
    reserve = 64 + 2 * workers  # the process's own files: the listening socket, two pipes per worker, Python's
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = limits.max_connections + reserve
        if soft != resource.RLIM_INFINITY and soft < want:
            soft = want if hard == resource.RLIM_INFINITY else min(want, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    except (ImportError, OSError, ValueError):  # no rlimits here: leave the cap as asked
        return limits
    if soft == resource.RLIM_INFINITY or soft >= want:
        return limits
    return dataclasses.replace(limits, max_connections=max(1, soft - reserve))


def _run(app, sock: socket.socket, access_log: bool, limits: Limits, keep_alive: float) -> None:
    import uvicorn

    config = uvicorn.Config(app, http=protocol(limits), access_log=access_log,
                            log_level="info" if access_log else "warning", timeout_keep_alive=keep_alive,
                            headers=[("X-Content-Type-Options", "nosniff")])
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:  # as uvicorn.run does: the app failed to start (its log says why)
        raise SystemExit(3)


def serve_processes(app, host: str, port: int, processes: int, workers: int, access_log: bool, started,
                    limits: Limits | None = None, keep_alive: float = 5.0) -> None:
    """Serve ``app`` on host:port from ``processes`` processes that share
    ``workers`` query workers out, each process under ``limits``;
    ``started(port, limits)`` is told the bound port and the limits as fitted
    to the open-files limit."""
    try:
        sock = _bind(host, port)
    except OSError as exc:
        from kg.errors import KGError

        raise KGError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; is another server using the port?") from None
    app.state.pool.size = workers // processes + (workers % processes > 0)
    limits = fit_open_files(limits or Limits(), app.state.pool.size)
    started(sock.getsockname()[1], limits)
    children = []
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
                if not die_with_parent(parent):  # the parent died before the request: nobody would stop this one
                    os._exit(0)
                app.state.pool.size = workers // processes + (workers % processes > index)
                code = 0
                try:
                    _run(app, sock, access_log, limits, keep_alive)
                except BaseException:  # noqa: BLE001 - a child must never return into the parent's code
                    code = 1
                finally:
                    sys.stderr.flush()
                    os._exit(code)
            children.append(pid)
        _run(app, sock, access_log, limits, keep_alive)
    finally:
        _terminate(children)
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        sock.close()
