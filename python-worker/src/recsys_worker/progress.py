"""Readable progress lines on stderr for long steps (no dependency, no terminal tricks)."""

from __future__ import annotations

import sys
import time


class Progress:
    """Prints ``label: done/total unit (rate/s, eta)`` at most every ``interval`` seconds."""

    quiet = False

    def __init__(self, label: str, total: int | None = None, unit: str = "", interval: float = 2.0):
        self.label, self.total, self.unit, self.interval = label, total, unit, interval
        self.count = 0
        self.started = self.last = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            self._print(now)

    def done(self) -> float:
        elapsed = time.monotonic() - self.started
        self.note(f"{self.label}: {self.count:,} {self.unit} in {elapsed:.1f} s")
        return elapsed

    def _print(self, now: float) -> None:
        rate = self.count / max(now - self.started, 1e-9)
        if self.total:
            eta = (self.total - self.count) / rate if rate > 0 else float("inf")
            self.note(
                f"{self.label}: {self.count:,}/{self.total:,} {self.unit} ({rate:,.0f}/s, about {eta:.0f} s left)"
            )
        else:
            self.note(f"{self.label}: {self.count:,} {self.unit} ({rate:,.0f}/s)")

    @classmethod
    def note(cls, message: str) -> None:
        if not cls.quiet:
            print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
