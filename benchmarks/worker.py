"""Run one report end to end in this process and print its step timings as JSON (used by the suite)."""

from __future__ import annotations

import json
import sys
import time

from evalkit.timing import Timings, peak_rss_bytes


def _cpu() -> float:
    """CPU seconds of this process, every thread (user + system): less sensitive to a busy machine than wall time."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CpuTimings(Timings):
    """:class:`~evalkit.timing.Timings` that also records the CPU seconds of each step.

    A step's CPU time is counted from the end of the step before it (so it includes the little
    unmarked work between two steps); the steps' CPU times add up to the run's.
    """

    def __enter__(self) -> CpuTimings:
        self.cpu: dict[str, float] = {}
        self._cpu_mark = _cpu()
        super().__enter__()
        return self

    def record(self, name: str, seconds: float, peak: int) -> None:
        now = _cpu()
        self.cpu[name] = self.cpu.get(name, 0.0) + now - self._cpu_mark
        self._cpu_mark = now
        super().record(name, seconds, peak)

    def as_dict(self) -> dict[str, dict[str, float]]:
        out = super().as_dict()
        for name, row in out.items():
            row["cpu_seconds"] = round(self.cpu.get(name, 0.0), 3)
        return out


def main(source: str, report: str, fmt: str = "json") -> None:
    from evalkit.io import read_export
    from evalkit.memory import tune_for_large_arrays
    from evalkit.report.render import render
    from evalkit.report.spec import ReportOptions, build_report

    tune_for_large_arrays()   # as the CLI does (evalkit.memory)
    start, cpu_start = time.perf_counter(), _cpu()
    with CpuTimings() as timings:
        export = read_export(source)
        built = build_report(export, report, ReportOptions())
        render(built, fmt)
    total = time.perf_counter() - start
    cpu = _cpu() - cpu_start
    rows = {name: len(frame) for name, frame in export.tables.items()}
    print(json.dumps({"report": report, "source": source, "rows": rows, "seconds": round(total, 3),
                      "cpu_seconds": round(cpu, 3),
                      "peak_rss_mb": round(peak_rss_bytes() / 1024**2, 1), "steps": timings.as_dict(),
                      "tables": len(built.tables), "tests": len(built.all_tests())}))


if __name__ == "__main__":
    main(*sys.argv[1:])
