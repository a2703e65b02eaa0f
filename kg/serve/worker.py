"""Queries run in worker processes that can be killed at the time limit.

pyoxigraph cannot cancel a running query, so each query runs in a child
process (``python -m kg.serve.worker EXPORT``) that holds the store, loaded
once. The server talks to it over its stdin / stdout with length-prefixed
frames: JSON requests, and answers that are one kind byte and the body (or
a JSON error). When a query overruns its time limit the child is killed and a
fresh one is started, so the server itself never blocks.
"""
from __future__ import annotations

import json
import os
import struct
import sys

_LEN = struct.Struct(">I")
# An answer frame starts with one of these bytes, then the body; an error
# frame is the JSON object {"status": ..., "code": ..., "message": ...}.
WHOLE, CUT = b"\x00", b"\x01"
WHOLE_HEAD = {"status": 200, "truncated": False}
CUT_HEAD = {"status": 200, "truncated": True}


class Busy(Exception):
    """No worker is free: the queue is full (429), or the wait outlasted the time limit (503)."""

    def __init__(self, status: int = 429):
        super().__init__(status)
        self.status = status


class TimedOut(Exception):
    """The query ran past the time limit; its worker was killed."""


# -- the child process ---------------------------------------------------------

# Queries whose first row may cost the whole evaluation (sorting, grouping,
# MINUS) are not tried twice; these words anywhere (in a string, an IRI, a
# longer word) only mean that the query takes the row-by-row writer.
_BLOCKING = ("ORDER", "GROUP", "MINUS")


def _may_block(query: str) -> bool:
    upper = query.upper()
    return any(word in upper for word in _BLOCKING)


def _execute(store, request: dict) -> tuple[dict, bytes]:
    import pyoxigraph

    from kg.report.sparql_results import (
        NATIVE,
        TooLarge,
        serialize_small,
        write_boolean,
        write_solutions,
        write_triples,
    )

    options = {}
    if request.get("default") is not None or request.get("named") is not None:
        options["default_graph"] = [pyoxigraph.NamedNode(g) for g in request.get("default") or []]
        options["named_graphs"] = [pyoxigraph.NamedNode(g) for g in request.get("named") or []]
    else:
        options["use_default_graph_as_union"] = True
    fmt, cap, max_bytes = request["format"], request["cap"], request.get("max_bytes")
    too_large = TooLarge.error(max_bytes)
    try:
        result = store.query(request["query"], base_iri=request.get("base"), **options)
        truncated = False
        if isinstance(result, pyoxigraph.QueryBoolean):
            body = write_boolean(bool(result), fmt)
        elif isinstance(result, pyoxigraph.QuerySolutions):
            body = None
            if fmt in NATIVE and not _may_block(request["query"]):
                body = serialize_small(result, fmt, cap)
                if body is None:  # a large result: once more, row by row up to the cap
                    result = store.query(request["query"], base_iri=request.get("base"), **options)
            if body is None:
                body, truncated = write_solutions(result, fmt, cap, max_bytes)
        else:
            body, truncated = write_triples(result, fmt, cap, request.get("prefixes"), max_bytes)
    except TooLarge:
        return too_large, b""
    except SyntaxError as exc:
        message = str(exc).splitlines()[0] if str(exc) else "syntax error"
        return {"status": 400, "code": "bad_query", "message": f"the query does not parse: {message}"}, b""
    except Exception as exc:  # noqa: BLE001 - evaluation errors become a 500 without details of the server
        return {"status": 500, "code": "query_failed", "message": f"the query failed: {type(exc).__name__}"}, b""
    if max_bytes is not None and len(body) > max_bytes:
        return too_large, b""
    return (CUT_HEAD if truncated else WHOLE_HEAD), body


def _answer_frame(head: dict, body: bytes) -> bytes:
    if head["status"] != 200:
        return json.dumps(head).encode()
    return (CUT if head["truncated"] else WHOLE) + body


def _read_frame(stream) -> bytes | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    return stream.read(_LEN.unpack(head)[0])


def _write_frame(stream, data: bytes) -> None:
    stream.write(_LEN.pack(len(data)) + data)


def _limit_memory(megabytes: int) -> None:
    """Cap the address space at what the loaded store uses plus ``megabytes``:
    a query that needs more dies alone instead of starving the machine."""
    if megabytes <= 0:
        return
    try:
        import resource

        with open("/proc/self/statm") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = used + megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except (ImportError, OSError, ValueError):  # no /proc or no rlimits here: run uncapped
        pass


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - runs in the child
    import signal

    from kg.serve.lifeline import die_with_parent

    export, memory_mb, *parent = argv or sys.argv[1:]
    # The end of stdin stops a worker only between queries: a query runs on after
    # its server is killed unless the kernel kills the worker too.
    if parent and not die_with_parent(int(parent[0])):
        return
    # Ctrl-C reaches the whole process group; the server stops its workers itself
    # (kill, or the end of their stdin), so a worker has nothing to print for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    from kg.graph.store import open_store

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the frame channel
    store = open_store(export)
    _limit_memory(int(memory_mb))
    graphs = sorted(g.value for g in store.named_graphs())
    _write_frame(stdout, json.dumps({"ready": True, "graphs": graphs, "triples": len(store)}).encode())
    stdout.flush()
    out = stdout.fileno()
    while (frame := _read_frame(stdin)) is not None:
        answer = _answer_frame(*_execute(store, json.loads(frame)))
        view = memoryview(_LEN.pack(len(answer)) + answer)
        while view:
            view = view[os.write(out, view):]


if __name__ == "__main__":  # pragma: no cover
    main()
