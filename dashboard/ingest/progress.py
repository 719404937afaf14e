"""A one-line progress display on stderr: counts and rate, redrawn a few times a second."""

from __future__ import annotations

import sys
import time
from typing import IO, Protocol


class _Counts(Protocol):
    seen: int
    added: int
    duplicates: int
    skipped: int
    seconds: float


class Progress:
    """Shows ``read / added / duplicates / skipped, N/s`` while a run goes on.

    Enabled by default only when stderr is a terminal, so logs and CI output
    are not filled with carriage returns.
    """

    def __init__(self, stream: IO[str] | None = None, *, enabled: bool | None = None, interval: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.interval = interval
        self._last = 0.0
        self._drawn = False

    @staticmethod
    def line(c: _Counts) -> str:
        rate = c.seen / c.seconds if c.seconds > 0 else 0.0
        return (f"ingest: {c.seen:,} read, {c.added:,} added, {c.duplicates:,} duplicates, "
                f"{c.skipped:,} skipped, {rate:,.0f}/s")

    def update(self, counts: _Counts) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        self.stream.write("\r" + self.line(counts) + "\033[K")
        self.stream.flush()
        self._drawn = True

    def close(self, counts: _Counts) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\r" + self.line(counts) + "\033[K\n")
            self.stream.flush()
