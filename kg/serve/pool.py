"""The server side of the query workers: a pool of child processes (``kg.serve.worker``)
spoken to over their pipes from the event loop, with time limits and back-pressure."""
from __future__ import annotations

import asyncio
import collections
import json
import os
import subprocess
import sys
import threading

from kg.serve.worker import _LEN, CUT, CUT_HEAD, WHOLE, WHOLE_HEAD, Busy, TimedOut


# -- the server side -----------------------------------------------------------

def _expire(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(asyncio.TimeoutError())


class Worker:
    """One child process, spoken to over its pipes from the event loop.

    Frames are read with ``loop.add_reader`` on the raw pipe rather than
    asyncio streams: the hop costs a few syscalls and no extra tasks.
    """

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self._loop = asyncio.get_running_loop()
        self._fd = process.stdout.fileno()
        self._stdin = process.stdin.fileno()
        os.set_blocking(self._fd, False)
        self._buffer = bytearray()
        self._waiter: asyncio.Future | None = None
        self._ended = False
        self._loop.add_reader(self._fd, self._readable)

    @classmethod
    async def start(cls, export: str, memory_mb: int = 0) -> tuple["Worker", dict]:
        # The kernel ties a child's death to the thread that started it: only the main
        # thread (kg serve's event loop) lives as long as the process.
        lifeline = [str(os.getpid())] if threading.current_thread() is threading.main_thread() else []
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.serve.worker", export, str(memory_mb), *lifeline],
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
        if not self._buffer and len(data) >= 4 and len(data) == 4 + _LEN.unpack_from(data)[0] \
                and self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(data[4:])  # the usual case: one whole frame in one read
            return
        self._buffer += data
        if len(self._buffer) >= 4:
            size = _LEN.unpack_from(self._buffer)[0]
            if len(self._buffer) >= 4 + size and self._waiter is not None and not self._waiter.done():
                frame = bytes(self._buffer[4:4 + size])
                del self._buffer[:4 + size]
                self._waiter.set_result(frame)

    def _frame(self) -> asyncio.Future:
        if self._ended:  # a worker that died unnoticed fails the write below (EPIPE) or ends its pipe
            raise ConnectionError("the worker process ended")
        self._waiter = self._loop.create_future()
        return self._waiter

    async def ask(self, request: dict, deadline: float | None = None) -> tuple[dict, bytes]:
        """Send one request and await its answer; past ``deadline`` (the
        loop's clock) the wait ends with TimeoutError (the caller kills)."""
        data = json.dumps(request).encode()
        waiter = self._frame()
        view = memoryview(_LEN.pack(len(data)) + data)
        while view:  # the worker is idle, reading: this does not block for long
            view = view[os.write(self._stdin, view):]
        expiry = None if deadline is None else self._loop.call_at(deadline, _expire, waiter)
        try:
            frame = await waiter
        finally:
            if expiry is not None:
                expiry.cancel()
        kind = frame[:1]
        if kind == WHOLE:
            return WHOLE_HEAD, frame[1:]
        if kind == CUT:
            return CUT_HEAD, frame[1:]
        return json.loads(frame), b""

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
        self._idle: list[Worker] = []
        self._waiters: collections.deque[asyncio.Future] = collections.deque()  # requests waiting for a worker, oldest first
        self._workers: set[Worker] = set()
        self._started: asyncio.Task | None = None
        self._ready = False
        self._respawns: set[asyncio.Task] = set()

    async def start(self) -> None:
        if self._ready:
            return
        if self._started is None:
            self._started = asyncio.ensure_future(self._start())
        await asyncio.shield(self._started)

    async def _start(self) -> None:
        started = await asyncio.gather(*(Worker.start(self.export, self.memory_mb) for _ in range(self.size)))
        for worker, hello in started:
            self.graphs = frozenset(hello["graphs"])
            self.triples = hello["triples"]
            self._workers.add(worker)
            self._release(worker)
        self._ready = True

    async def close(self) -> None:
        for task in self._respawns:
            task.cancel()
        for worker in list(self._workers):
            worker.kill()
            await worker.wait()
        self._workers.clear()

    @property
    def busy(self) -> int:
        return self.size - len(self._idle)

    async def run(self, request: dict) -> tuple[dict, bytes]:
        """Run one request on a free worker, within the time limit."""
        if not self._ready:
            await self.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        worker = self._idle.pop() if self._idle else await self._acquire(deadline)
        try:
            answer = await worker.ask(request, max(deadline, loop.time() + 0.05))
        except (asyncio.TimeoutError, asyncio.CancelledError, OSError) as exc:
            self._replace(worker)
            if isinstance(exc, asyncio.CancelledError):
                raise
            if isinstance(exc, asyncio.TimeoutError):
                raise TimedOut() from None
            return {"status": 500, "code": "worker_crashed",
                    "message": "the query ran out of memory or crashed the worker running it; it was stopped"}, b""
        self._release(worker)
        return answer

    async def _acquire(self, deadline: float) -> Worker:
        """Wait, first come first served, for a worker until ``deadline``."""
        if len(self._waiters) >= self.queue_limit:
            raise Busy(429)
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._waiters.append(waiter)
        expiry = loop.call_at(deadline, _expire, waiter)
        try:
            return await waiter
        except BaseException as exc:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
            elif waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result())  # handed a worker, then cancelled: pass it on
            if isinstance(exc, asyncio.TimeoutError):
                raise Busy(503) from None
            raise
        finally:
            expiry.cancel()

    def _release(self, worker: Worker) -> None:
        """Hand ``worker`` to the oldest waiting request, or put it back."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

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
            self._release(fresh)

        task = asyncio.ensure_future(respawn())
        self._respawns.add(task)
        task.add_done_callback(self._respawns.discard)
