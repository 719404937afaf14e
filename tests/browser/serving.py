"""Start a real ``python -m dashboard ...`` process, wait until it answers, and stop it.

One helper for every browser test module (and the proxy replicas), so they all
start the server the same way: in its own session (so the whole process group
can be signalled), with its output in a log that a failure quotes, readiness
polled against a deadline (never a fixed sleep), SIGTERM then SIGKILL at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path


def launch(cmd: Sequence[str], cwd: Path, log: Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start ``cmd`` in a new session with stdout and stderr appended to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(list(cmd), cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, env=dict(env) if env is not None else None)


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, deadline_s: float = 90.0) -> None:
    """Return once ``url`` answers 200; raise with the log's tail if the process dies or time runs out."""
    deadline = time.monotonic() + deadline_s
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} not healthy after {deadline_s:.0f} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)  # poll interval of a readiness check, not a wait for the UI


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, then SIGKILL it if it has not exited within 15 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@contextmanager
def dashboard(cmd: Sequence[str], port: int, cwd: Path, log: Path, env: Mapping[str, str] | None = None,
              deadline_s: float = 90.0) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``serve`` running on ``port`` until the block ends: yields its base URL and process."""
    proc = launch(cmd, cwd, log, env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{base}/_stcore/health", proc, log, deadline_s)
        yield base, proc
    finally:
        stop(proc)
