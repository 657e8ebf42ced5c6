"""Red-team fixtures (issue 14), resource exhaustion. Nothing read before auth: bodies
without a valid token, chunked or not, roster uploads included, are answered before they
are read; the server's peak memory stays where it was. An .xlsx bomb is refused before it
is parsed, whether its zip directory tells its size or lies; costly requests are limited
per token and in all.
"""

from __future__ import annotations

import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.graphs import two_communities
from tests.servers import send_body, serving

# ------------------------------------------------------------------ bodies before auth
BIG = 150 << 20
MULTIPART = {"Content-Type": "multipart/form-data; boundary=XyZ"}
FILE_HEAD = (b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="r.csv"\r\n'
             b"Content-Type: text/csv\r\n\r\n")
FILE_TAIL = b"\r\n--XyZ--\r\n"


def test_bodies_are_not_read_before_the_token_is_checked(tmp_path: Path) -> None:
    with serving(tmp_path, two_communities(), max_upload_mb="5", max_body_mb="1") as server:
        analyst, _ = server.token("analyst")
        admin, _ = server.token("admin")
        before = server.memory_kib()["VmRSS"]
        bearer = {"Authorization": f"Bearer {analyst}"}
        json_body = {"Content-Type": "application/json"}
        cases = [
            # (path, headers, chunked, multipart, expected status, most bytes it may read)
            ("/api/v1/pairings/proposals", json_body, True, False, 401, 0),
            ("/api/v1/pairings/proposals", json_body, False, False, 401, 0),
            ("/api/v1/pairings/proposals", {**json_body, "Authorization": "Bearer gg_x"},
             True, False, 401, 0),
            ("/api/v1/rosters/party_members", MULTIPART, True, True, 401, 0),
            ("/api/v1/rosters/party_members", MULTIPART, False, True, 401, 0),
            ("/api/v1/rosters/party_members", {**MULTIPART, **bearer}, True, True, 403, 0),
            ("/api/v1/pairings/proposals", {**json_body, **bearer}, True, False, 413, 1),
            ("/api/v1/rosters/party_members",
             {**MULTIPART, "Authorization": f"Bearer {admin}"}, True, True, 413, 5),
            ("/api/v1/rosters/party_members",
             {**MULTIPART, "Authorization": f"Bearer {admin}"}, False, True, 413, 0),
        ]
        for path, headers, chunked, multipart, want, most_mb in cases:
            status, sent = send_body(server.port, path, BIG, headers, chunked,
                                     FILE_HEAD if multipart else b"",
                                     FILE_TAIL if multipart else b"")
            assert status == want, (path, headers.keys(), chunked, status)
            # the answer came before the body was sent (socket buffers aside)
            assert sent < ((most_mb + 16) << 20), (path, chunked, sent)
        grown = server.memory_kib()["VmHWM"] - before
        assert grown < 48 << 10, f"peak memory grew {grown >> 10} MiB under the attack"
        assert server.get("/health/live")[0] == 200


# ------------------------------------------------------------------ xlsx bombs
def _bomb(path: Path, declared_truthfully: bool) -> None:
    """A ~1 MB .xlsx whose shared strings expand to 300 MB of one string: as its zip
    directory says (``declared_truthfully``), or declaring 1 KB."""
    import openpyxl

    small = path.with_name("small.xlsx")
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号"])
    wb.active.append(["张三", "x"])
    wb.save(small)
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            if item.filename != "xl/sharedStrings.xml":
                z.writestr(item, src.read(item.filename))
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')
            for _ in range(300):
                f.write(b"A" * (1 << 20))
            f.write(b"</t></si></sst>")
    if not declared_truthfully:  # the central directory (what readers trust) says 1 KB
        data = bytearray(path.read_bytes())
        at = data.rfind(b"PK\x01\x02", 0, data.rfind(b"xl/sharedStrings.xml"))
        assert data[at + 46:at + 66] == b"xl/sharedStrings.xml"
        data[at + 24:at + 28] = (1024).to_bytes(4, "little")
        path.write_bytes(bytes(data))
        with zipfile.ZipFile(path) as z:
            assert z.getinfo("xl/sharedStrings.xml").file_size == 1024
    assert path.stat().st_size < 2 << 20


@pytest.mark.parametrize("truthful", [True, False])
def test_an_xlsx_bomb_is_refused_before_it_is_parsed(tmp_path: Path, truthful: bool) -> None:
    import json
    import subprocess
    import sys

    bomb = tmp_path / "bomb.xlsx"
    _bomb(bomb, truthful)
    # VmHWM, not ru_maxrss: ru_maxrss keeps the forking test process's peak across exec
    code = ("import json, sys\n"
            "from loaders.tables import TableError, open_table\n"
            "try:\n"
            "    for s in open_table(sys.argv[1]).sheets():\n"
            "        list(s.rows())\n"
            "    rule = None\n"
            "except TableError as e:\n"
            "    rule = e.rule\n"
            "print(json.dumps({'rule': rule, 'peak_kib': int(next("
            "l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))"
            ")}))\n")
    r = subprocess.run([sys.executable, "-c", code, str(bomb)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    got = json.loads(r.stdout)
    assert got["rule"] == ("too_large" if truthful else "corrupt_xlsx")
    assert got["peak_kib"] < 250 << 10, f"peak {got['peak_kib'] >> 10} MiB"


# ------------------------------------------------------------------ costly requests
def _hold(port: int, token: str) -> Any:
    """A pairing proposal whose body is still arriving: it holds a costly slot."""
    import socket

    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.sendall((f"POST /api/v1/pairings/proposals HTTP/1.1\r\nHost: x\r\n"
               f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n").encode())
    return s


def _finish(s: Any) -> bytes:
    s.sendall(b"1\r\n}\r\n0\r\n\r\n")
    answer: bytes = s.recv(200)
    s.close()
    return answer


def _until_refused(server: Any, token: str) -> None:
    """Wait (at most 20 s) until a held request has reached the app and taken its slot:
    a costly request of ``token`` is then refused. No fixed sleep: a slow machine
    waits longer, a fast one not at all."""
    deadline = time.monotonic() + 20
    while server.get("/api/v1/gaps/middle-weakening.xlsx", token)[0] != 429:
        assert time.monotonic() < deadline, "the held request never took its slot"
        time.sleep(0.05)


def test_costly_requests_are_limited_per_token_and_in_all(tmp_path: Path) -> None:
    """One costly request per token and two in all: while a token's pairing proposal
    is still arriving, its next costly request (an .xlsx, a depth-3 neighbourhood, an
    export) is 429 at once, a cheap one and another token's costly one are served;
    with two held, a third token's is 429 too; the held ones then finish normally."""
    with serving(tmp_path, two_communities(), costly_per_token="1",
                 costly_total="2") as server:
        a, b, c = (server.token("analyst")[0] for _ in range(3))
        held = [_hold(server.port, a)]
        _until_refused(server, a)
        for path in ("/api/v1/gaps/middle-weakening.xlsx",
                     "/api/v1/nodes/brA/neighbors?depth=3", "/explorer/export.html?focus=brA"):
            status, body = server.get(path, a)
            assert status == 429 and b"at most 1 per token" in body, (path, status)
        assert server.get("/api/v1/nodes/brA/neighbors?depth=2", a)[0] == 200
        assert server.get("/api/v1/gaps/middle-weakening.xlsx", b)[0] == 200
        held.append(_hold(server.port, b))
        _until_refused(server, b)
        assert server.get("/api/v1/gaps/middle-weakening.xlsx", c)[0] == 429
        assert server.get("/health/live")[0] == 200
        for s in held:
            assert _finish(s).startswith(b"HTTP/1.1 200")
        for t in (a, b, c):
            assert server.get("/api/v1/gaps/middle-weakening.xlsx", t)[0] == 200
