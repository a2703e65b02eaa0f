"""Queries run in worker processes that can be killed at the time limit.

pyoxigraph cannot cancel a running query, so each query runs in a child
process (``python -m kg.serve.worker EXPORT``) that holds the store, loaded
once. The server talks to it over its stdin / stdout with length-prefixed
JSON frames. When a query overruns its time limit the child is killed and a
fresh one is started, so the server itself never blocks.
"""
from __future__ import annotations

import asyncio
import json
import os
import struct
import subprocess
import sys
import time
from dataclasses import dataclass

_LEN = struct.Struct(">I")


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    truncated: bool = False
    code: str = ""


class Busy(Exception):
    """No worker is free: the queue is full (429), or the wait outlasted the time limit (503)."""

    def __init__(self, status: int = 429):
        super().__init__(status)
        self.status = status


class TimedOut(Exception):
    """The query ran past the time limit; its worker was killed."""


# -- the child process ---------------------------------------------------------

def _execute(store, request: dict) -> tuple[dict, bytes]:
    import pyoxigraph

    from .results import CONTENT_TYPES, write_boolean, write_solutions, write_triples

    options = {}
    if request.get("default") is not None or request.get("named") is not None:
        options["default_graph"] = [pyoxigraph.NamedNode(g) for g in request.get("default") or []]
        options["named_graphs"] = [pyoxigraph.NamedNode(g) for g in request.get("named") or []]
    else:
        options["use_default_graph_as_union"] = True
    fmt, cap = request["format"], request["cap"]
    try:
        result = store.query(request["query"], base_iri=request.get("base"), **options)
        truncated = False
        if isinstance(result, pyoxigraph.QueryBoolean):
            body = write_boolean(bool(result), fmt)
        elif isinstance(result, pyoxigraph.QuerySolutions):
            body, truncated = write_solutions(result, fmt, cap)
        else:
            body, truncated = write_triples(result, fmt, cap, request.get("prefixes"))
    except SyntaxError as exc:
        message = str(exc).splitlines()[0] if str(exc) else "syntax error"
        return {"status": 400, "code": "bad_query", "message": f"the query does not parse: {message}"}, b""
    except Exception as exc:  # noqa: BLE001 - evaluation errors become a 500 without details of the server
        return {"status": 500, "code": "query_failed", "message": f"the query failed: {type(exc).__name__}"}, b""
    return {"status": 200, "type": CONTENT_TYPES[fmt], "truncated": truncated}, body


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
    from ..store import open_store

    export, memory_mb = (argv or sys.argv[1:])[:2]
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the frame channel
    store = open_store(export)
    _limit_memory(int(memory_mb))
    graphs = sorted(g.value for g in store.named_graphs())
    _write_frame(stdout, json.dumps({"ready": True, "graphs": graphs, "triples": len(store)}).encode())
    stdout.flush()
    while (frame := _read_frame(stdin)) is not None:
        head, body = _execute(store, json.loads(frame))
        _write_frame(stdout, json.dumps(head).encode() + b"\n" + body)
        stdout.flush()


# -- the server side -----------------------------------------------------------

class Worker:
    """One child process, spoken to over its pipes from the event loop.

    Frames are read with ``loop.add_reader`` on the raw pipe rather than
    asyncio streams: the hop costs a few syscalls and no extra tasks.
    """

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self._loop = asyncio.get_running_loop()
        self._fd = process.stdout.fileno()
        os.set_blocking(self._fd, False)
        self._buffer = bytearray()
        self._waiter: asyncio.Future | None = None
        self._ended = False
        self._loop.add_reader(self._fd, self._readable)

    @classmethod
    async def start(cls, export: str, memory_mb: int = 0) -> tuple["Worker", dict]:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.serve.worker", export, str(memory_mb)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        worker = cls(process)
        try:
            hello = json.loads(await worker._frame())
        except ConnectionError:
            worker.kill()
            raise
        return worker, hello

    def _readable(self) -> None:
        try:
            data = os.read(self._fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._ended = True
            self._loop.remove_reader(self._fd)
            if self._waiter is not None and not self._waiter.done():
                self._waiter.set_exception(ConnectionError("the worker process ended"))
            return
        self._buffer += data
        if len(self._buffer) >= 4:
            size = _LEN.unpack_from(self._buffer)[0]
            if len(self._buffer) >= 4 + size and self._waiter is not None and not self._waiter.done():
                frame = bytes(self._buffer[4:4 + size])
                del self._buffer[:4 + size]
                self._waiter.set_result(frame)

    def _frame(self) -> asyncio.Future:
        if self._ended or self.process.poll() is not None:
            raise ConnectionError("the worker process ended")
        self._waiter = self._loop.create_future()
        return self._waiter

    async def ask(self, request: dict) -> tuple[dict, bytes]:
        data = json.dumps(request).encode()
        waiter = self._frame()
        self.process.stdin.write(_LEN.pack(len(data)) + data)  # the worker is idle, reading: this does not block
        self.process.stdin.flush()
        frame = await waiter
        head, _, body = frame.partition(b"\n")
        return json.loads(head), body

    def kill(self) -> None:
        self._loop.remove_reader(self._fd)
        if self.process.poll() is None:
            self.process.kill()

    async def wait(self) -> None:
        while self.process.poll() is None:
            await asyncio.sleep(0.01)
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass


class Pool:
    """A few workers, a bounded queue, and a time limit on every query."""

    def __init__(self, export: str, size: int = 2, queue: int = 32, timeout: float = 10.0, memory_mb: int = 0):
        self.export = str(export)
        self.memory_mb = memory_mb
        self.size = size
        self.queue_limit = queue
        self.timeout = timeout
        self.graphs: frozenset[str] = frozenset()
        self.triples = 0
        self._idle: asyncio.Queue | None = None
        self._waiting = 0
        self._workers: set[Worker] = set()
        self._started: asyncio.Task | None = None
        self._respawns: set[asyncio.Task] = set()

    async def start(self) -> None:
        if self._started is None:
            self._started = asyncio.ensure_future(self._start())
        await asyncio.shield(self._started)

    async def _start(self) -> None:
        self._idle = asyncio.Queue()
        started = await asyncio.gather(*(Worker.start(self.export, self.memory_mb) for _ in range(self.size)))
        for worker, hello in started:
            self.graphs = frozenset(hello["graphs"])
            self.triples = hello["triples"]
            self._workers.add(worker)
            self._idle.put_nowait(worker)

    async def close(self) -> None:
        for task in self._respawns:
            task.cancel()
        for worker in list(self._workers):
            worker.kill()
            await worker.wait()
        self._workers.clear()

    @property
    def busy(self) -> int:
        return self.size - (self._idle.qsize() if self._idle else 0)

    async def run(self, request: dict) -> tuple[dict, bytes]:
        """Run one request on a free worker, within the time limit."""
        await self.start()
        if self._idle.empty() and self._waiting >= self.queue_limit:
            raise Busy(429)
        deadline = time.monotonic() + self.timeout
        self._waiting += 1
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=self.timeout)
        except asyncio.TimeoutError:
            raise Busy(503) from None
        finally:
            self._waiting -= 1
        try:
            answer = await asyncio.wait_for(worker.ask(request), timeout=max(deadline - time.monotonic(), 0.05))
        except (asyncio.TimeoutError, asyncio.CancelledError, OSError) as exc:
            self._replace(worker)
            if isinstance(exc, asyncio.CancelledError):
                raise
            if isinstance(exc, asyncio.TimeoutError):
                raise TimedOut() from None
            return {"status": 500, "code": "worker_crashed",
                    "message": "the query ran out of memory or crashed the worker running it; it was stopped"}, b""
        self._idle.put_nowait(worker)
        return answer

    def _replace(self, worker: Worker) -> None:
        worker.kill()
        self._workers.discard(worker)

        async def respawn():
            await worker.wait()
            delay = 0.5
            while True:
                try:
                    fresh, _ = await Worker.start(self.export, self.memory_mb)
                    break
                except (OSError, ValueError) as exc:  # keep trying: the pool must not shrink for good
                    print(f"kg serve: a query worker failed to start ({exc}); retrying in {delay:g} s", file=sys.stderr)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 30.0)
            self._workers.add(fresh)
            self._idle.put_nowait(fresh)

        task = asyncio.ensure_future(respawn())
        self._respawns.add(task)
        task.add_done_callback(self._respawns.discard)


if __name__ == "__main__":  # pragma: no cover
    main()
