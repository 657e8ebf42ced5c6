"""Calls to a Neo4j server that cannot hang their caller: worker threads and a watch.

A hung server (up, but not answering: a frozen JVM, a stalled disk) would hold a
request for as long as the socket stays open, since the driver has no read timeout of
its own. So every call runs on the store's own worker threads (:class:`Workers`) and
its caller waits in steps of :data:`PROBE_AFTER` seconds: when a step passes without
an answer, a fresh connection tries the Bolt handshake (:data:`PROBE_TIMEOUT`); no
answer means the server hangs, the call gives up with :class:`StoreUnavailable` and
the breaker opens (:class:`Watch`): calls fail at once, without touching the driver,
until a handshake answers again (tried at most every :data:`RETRY_AFTER` seconds). A
server that answers the handshake is only slow: the call waits up to its transaction
timeout, plus a margin.
"""

from __future__ import annotations

import concurrent.futures as cf
import queue
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from graph.errors import StoreUnavailable

__all__ = ["Workers", "Watch", "PROBE_AFTER", "PROBE_TIMEOUT", "RETRY_AFTER", "WORKERS"]

T = TypeVar("T")

#: seconds a call waits for an answer before the server is probed
PROBE_AFTER = 2.0
#: seconds the Bolt handshake of a probe may take
PROBE_TIMEOUT = 2.0
#: seconds between handshakes while the breaker is open
RETRY_AFTER = 1.0
#: worker threads per store: calls in flight at once (more wait their turn)
WORKERS = 16
_BOLT_HELLO = bytes.fromhex("6060b017") + bytes.fromhex(
    "00040405" "00000404" "00000104" "00000003")  # Bolt 5.4-5.0, 4.4-4.1, 3


class Workers:
    """A few daemon threads running calls: a call stuck on a hung server must not hold
    up the process's exit (a ThreadPoolExecutor's threads are joined at exit)."""

    def __init__(self, n: int) -> None:
        self._todo: queue.SimpleQueue[tuple[Callable[[], Any], cf.Future[Any]] | None] = (
            queue.SimpleQueue())
        self._busy = 0
        self._idle = threading.Condition()
        for i in range(n):
            threading.Thread(target=self._run, name=f"neo4j-call-{i}", daemon=True).start()
        self._n = n

    def _run(self) -> None:
        while (item := self._todo.get()) is not None:
            fn, fut = item
            if not fut.set_running_or_notify_cancel():
                continue
            with self._idle:
                self._busy += 1
            try:
                fut.set_result(fn())
            except BaseException as e:  # noqa: BLE001 - handed to the caller
                fut.set_exception(e)
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

    def drain(self, timeout: float) -> bool:
        """Wait till no call runs (at most ``timeout`` s); whether none does."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def submit(self, fn: Callable[[], T]) -> cf.Future[T]:
        fut: cf.Future[T] = cf.Future()
        self._todo.put((fn, fut))
        return fut

    def shutdown(self) -> None:
        for _ in range(self._n):
            self._todo.put(None)


class Watch:
    """The hung-server breaker of one store (see the module's docstring)."""

    def __init__(self, uri: str) -> None:
        u = urlsplit(uri)
        self.host, self.port = u.hostname or "localhost", u.port or 7687
        self.tls = u.scheme.endswith("+s") or u.scheme.endswith("+ssc")
        self.verify = not u.scheme.endswith("+ssc")
        self.pool = Workers(WORKERS)
        self._lock = threading.Lock()
        self.down_since: float | None = None  # when the breaker opened
        self._tried = 0.0
        self._alive = True
        self._probing = False
        self._probed = threading.Event()

    def handshake(self) -> bool:
        """Whether a new connection gets the server's Bolt version in time."""
        try:
            with socket.create_connection((self.host, self.port), PROBE_TIMEOUT) as raw:
                sock: socket.socket = raw
                if self.tls:
                    ctx = ssl.create_default_context()
                    if not self.verify:
                        ctx.check_hostname = False
                        ctx.verify_mode = ssl.CERT_NONE
                    sock = ctx.wrap_socket(raw, server_hostname=self.host)
                sock.settimeout(PROBE_TIMEOUT)
                sock.sendall(_BOLT_HELLO)
                return len(sock.recv(4)) == 4
        except OSError:
            return False

    def _probe(self) -> None:
        ok = self.handshake()
        with self._lock:
            self._alive, self._probing, self._tried = ok, False, time.monotonic()
            if ok:
                self.down_since = None
            elif self.down_since is None:
                self.down_since = time.monotonic()
            self._probed.set()

    def alive(self, wait: bool) -> bool:
        """Whether the server answered the last handshake. A new one starts (on a
        thread of its own, one at a time) when the last is RETRY_AFTER seconds old;
        ``wait``: for the one under way."""
        with self._lock:
            if not self._probing and time.monotonic() - self._tried >= RETRY_AFTER:
                self._probing = True
                self._probed = threading.Event()
                threading.Thread(target=self._probe, name="neo4j-probe", daemon=True).start()
            probed = self._probed if self._probing else None
        if probed is not None and wait:
            probed.wait(PROBE_TIMEOUT + 1)
        return self._alive

    def call(self, fn: Callable[[], T], limit: float, where: str) -> T:
        """``fn()`` on a worker; its answer, or StoreUnavailable once the server is
        found hung or ``limit`` seconds have passed."""
        if self.down_since is not None and not self.alive(wait=False):
            raise StoreUnavailable(f"Neo4j at {where} is unavailable: it has not answered "
                                   f"for {time.monotonic() - self.down_since:.0f} s")
        fut = self.pool.submit(fn)
        deadline = time.monotonic() + limit
        while True:
            try:
                return fut.result(timeout=max(0.0, min(PROBE_AFTER,
                                                       deadline - time.monotonic())))
            except cf.TimeoutError:
                if not self.alive(wait=True):
                    raise StoreUnavailable(f"Neo4j at {where} is unavailable: it does not "
                                           "answer") from None
                if time.monotonic() >= deadline:
                    raise StoreUnavailable(f"Neo4j at {where} is unavailable: no answer "
                                           f"in {limit:.0f} s") from None
