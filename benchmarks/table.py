"""Print the Markdown tables of ``docs/performance.md`` from a benchmark result file.

    python -m benchmarks.table                      # benchmarks/_results/latest.json
    python -m benchmarks.table path/to/result.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = ("read", "validate", "measures, profiles, LOCF", "tables and tests", "multiplicity and disclosure", "render")


def markdown(result: dict) -> str:
    head = ("| report | persons | input | rows read | total s | peak RSS MB | " + " | ".join(STEPS)
            + " | floor s | ratio | load |")
    lines = [head, "|" + "---|" * (9 + len(STEPS))]
    for r in result["runs"]:
        if "error" in r:
            lines.append(f"| {r['report']} | {r['persons']:,} | {r['format']} | error: {r['error']} |")
            continue
        steps = " | ".join(f"{r['steps'][s]['seconds']:.2f}" if s in r["steps"] else "" for s in STEPS)
        floor = r.get("floor", {})
        extra = (f"{floor['seconds']:.2f} | {r['ratio_to_floor']:.2f} | {r.get('load_average', '')}"
                 if "seconds" in floor else " | | ")
        lines.append(f"| {r['report']} | {r['persons']:,} | {r['format']} | {sum(r['rows'].values()):,} | "
                     f"{r['seconds']:.2f} | {r['peak_rss_mb']:.0f} | {steps} | {extra} |")
    if result.get("baseline"):
        lines += ["", "| persons | naive (CSV) s | evalkit (CSV) s | evalkit (Parquet) s | speed-up (CSV) |",
                  "|---|---|---|---|---|"]
        for b in result["baseline"]:
            ours = {r["format"]: r["seconds"] for r in result["runs"]
                    if r["report"] == "ung-rusmidler" and r["persons"] == b["persons"] and "seconds" in r}
            ratio = b.get("ratio_evalkit_over_baseline")
            speedup = f"{1 / ratio:.0f}x" if ratio else "n/a"
            csv, parquet = (f"{ours[f]:.2f}" if f in ours else "n/a" for f in ("csv", "parquet"))
            lines.append(f"| {b['persons']:,} | {b['seconds']:.1f} | {csv} | {parquet} | {speedup} |")
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "_results" / "latest.json"
    print(markdown(json.loads(path.read_text(encoding="utf-8"))))
