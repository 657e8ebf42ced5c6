"""What machine a benchmark ran on, recorded beside every result."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from typing import Any


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gib = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            mem_gib = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError):
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=False).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit,
    }


def header(benchmark: str) -> dict[str, Any]:
    """The fields every result file starts with: its name, when, on what machine."""
    return {"benchmark": benchmark,
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": machine()}
