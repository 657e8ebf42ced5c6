"""A real ``govgraph serve`` process for the tests that need one (a second process
revoking a token, bodies sent over a socket, the server's own memory)."""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.embedded import EmbeddedStore
from tests.cli_helpers import GOVGRAPH

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    env: dict[str, str]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> str:
        r = subprocess.run([GOVGRAPH, *args], env=self.env, capture_output=True, text=True,
                           cwd=ROOT, timeout=120)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def token(self, role: str, community: str | None = None) -> tuple[str, str]:
        """(token, its id), made by the CLI in its own process."""
        args = ["token", "create", "--role", role]
        if community:
            args += ["--community", community]
        printed = self.cli(*args)
        tid = re.search(r"token ([0-9a-f]+) \(", printed)
        assert tid is not None, printed
        return printed.strip().splitlines()[-1], tid.group(1)

    def get(self, path: str, token: str | None = None) -> tuple[int, bytes]:
        req = urllib.request.Request(self.base + path, headers={
            "Authorization": f"Bearer {token}"} if token else {})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def memory_kib(self) -> dict[str, int]:
        """The server's resident memory now and its peak (VmRSS, VmHWM)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return {k: int(v.split()[0]) for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(.*)$",
                                                             status, re.M)}


@contextmanager
def serving(tmp_path: Path, graph: tuple[list[Any], list[Any]],
            neo4j: tuple[str, str] | None = None, log: Path | None = None,
            **settings: str) -> Iterator[Server]:
    """``govgraph serve`` on an embedded store holding ``graph`` (or on the Neo4j
    server ``neo4j`` = (uri, password), cleared first); ``settings`` become GOVGRAPH_*
    variables (``max_upload_mb="5"`` …); ``log``: a file for what it prints."""
    store: dict[str, str] = {}
    if neo4j is None:
        db = tmp_path / "graph.db"
        with EmbeddedStore(db) as s:
            s.upsert(*graph)
        store["GOVGRAPH_STORE"] = str(db)
    else:
        from graph.neo4j_store import Neo4jStore

        uri, password = neo4j
        with Neo4jStore(uri, "neo4j", password) as n:
            n.clear()
            n.upsert(*graph)
        store.update(GOVGRAPH_STORE=uri, GOVGRAPH_NEO4J_PASSWORD=password)
    port = free_port()
    env = dict(os.environ, GOVGRAPH_SECURITY_DB=str(tmp_path / "security.db"), **store,
               **{f"GOVGRAPH_{k.upper()}": v for k, v in settings.items()})
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    process = subprocess.Popen([GOVGRAPH, "serve", "--port", str(port)], env=env, cwd=ROOT,
                               stdout=out, stderr=subprocess.STDOUT if log else out)
    server = Server(port, process, env)
    try:
        for _ in range(150):
            try:
                if server.get("/health/live")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise AssertionError("govgraph serve did not start")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        if log:
            out.close()  # type: ignore[union-attr]


def send_body(port: int, path: str, size: int, headers: dict[str, str] | None = None,
              chunked: bool = True, prefix: bytes = b"", suffix: bytes = b""
              ) -> tuple[int | None, int]:
    """POST ``size`` bytes (``prefix`` + zeros + ``suffix``) in 64 KiB pieces, chunked or
    with a Content-Length, stopping as soon as the server answers or hangs up:
    (the answer's status or None, bytes sent)."""
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}")
    piece = b"\0" * (64 << 10)
    sent, answer = 0, b""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        try:
            while sent < size:
                readable, _, _ = select.select([s], [], [], 0)
                if readable:
                    break
                data = prefix if sent == 0 and prefix else piece
                if sent + len(data) >= size:
                    data = data[:max(0, size - sent - len(suffix))] + suffix
                s.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
                sent += len(data)
            else:
                if chunked:
                    s.sendall(b"0\r\n\r\n")
            while b"\r\n" not in answer:
                got = s.recv(4096)
                if not got:
                    break
                answer += got
        except (BrokenPipeError, ConnectionResetError):
            pass
    m = re.match(rb"HTTP/1\.1 (\d{3})", answer)
    return (int(m.group(1)) if m else None), sent


def listening_pid(port: int) -> int:
    """The process listening on TCP ``port`` here (from /proc: the socket's inode,
    then the process holding it)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            f = line.split()
            if int(f[1].rsplit(":", 1)[1], 16) == port and f[3] == "0A":  # LISTEN
                inodes.add(f[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(proc.name)
        except OSError:
            continue
    raise AssertionError(f"nothing listens on port {port}")
