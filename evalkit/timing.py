"""Step timings and peak memory, for ``--verbose`` and the benchmark suite.

Library code marks its steps with ``with step("read"):``; nothing is recorded unless a
:class:`Timings` collector is active (``with Timings() as t:``), so the marks cost nothing otherwise.
"""

from __future__ import annotations

import contextlib
import contextvars
import resource
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

_current: contextvars.ContextVar[Timings | None] = contextvars.ContextVar("evalkit_timings", default=None)


def rss_bytes() -> int:
    """Current resident set size of this process (Linux), 0 if unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize()
    except OSError:
        return 0


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (``VmHWM``).

    ``ru_maxrss`` is not used: Linux keeps it across ``exec``, so a worker started from a large parent
    would report the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@dataclass
class StepTime:
    name: str
    seconds: float
    peak_rss: int


@dataclass
class Timings:
    """Collects the wall time and peak RSS (sampled every ``interval`` s) of each step."""

    interval: float = 0.01
    steps: list[StepTime] = field(default_factory=list)
    _token: contextvars.Token | None = None

    def __enter__(self) -> Timings:
        self._token = _current.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _current.reset(self._token)

    def record(self, name: str, seconds: float, peak: int) -> None:
        for s in self.steps:
            if s.name == name:
                s.seconds += seconds
                s.peak_rss = max(s.peak_rss, peak)
                return
        self.steps.append(StepTime(name, seconds, peak))

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {s.name: {"seconds": round(s.seconds, 4), "peak_rss_mb": round(s.peak_rss / 1024**2, 1)}
                for s in self.steps}


@contextlib.contextmanager
def step(name: str) -> Iterator[None]:
    """Time a step of the pipeline when a :class:`Timings` collector is active."""
    timings = _current.get()
    if timings is None:
        yield
        return
    peak = [rss_bytes()]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(timings.interval):
            peak[0] = max(peak[0], rss_bytes())

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        stop.set()
        thread.join()
        timings.record(name, elapsed, max(peak[0], rss_bytes()))
