"""The naive baseline: the same core of the ung-rusmidler report written as an analyst would without evalkit.

``read_csv`` without dtypes, per-person ``groupby().apply`` for LOCF and first/last, row-wise
``apply`` for the stofscore and risk profile, and a loop of scipy calls per stratum.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

TEM_VALUES = ["personlig_trivsel", "naere_relationer", "social_trivsel", "koncentration", "planlaegning",
              "cannabis_days", "other_drug_days", "alcohol_units_week"]


def run(folder: Path) -> dict:
    t0 = time.perf_counter()
    kw = {"sep": ";", "decimal": ",", "encoding": "cp1252"}
    logbog = pd.read_csv(folder / "logbog_episodes.csv", **kw)
    ungmap = pd.read_csv(folder / "ungmap_intake.csv", **kw)
    tem = pd.read_csv(folder / "tem_registrations.csv", **kw)
    t_read = time.perf_counter()

    def stofscore(row):
        return ((row["days_hash_30"] / 30 + row["days_kokain_30"] / 30 + row["days_amfetamin_30"] / 30
                 + row["days_ecstasy_30"] / 30 + row["days_andre_30"] / 30) / 5) * 100

    ungmap["stofscore"] = ungmap.apply(stofscore, axis=1)

    def risk(row):
        return int(row["stofscore"] >= 12) + int(row["psych_diagnosis_by_psychiatrist"] == "ja") + \
            int(row["uddannelseshjaelp"] == "ja")

    ungmap["risk"] = ungmap.apply(risk, axis=1)
    t_measures = time.perf_counter()

    tem["tem_date"] = pd.to_datetime(tem["tem_date"], format="%d-%m-%Y")

    def locf(group):
        g = group.sort_values("tem_date").head(12).reset_index(drop=True)
        g["samlet"] = g[["personlig_trivsel", "naere_relationer", "social_trivsel"]].mean(axis=1)
        g = g.reindex(range(12)).ffill()
        g["k"] = range(1, 13)
        return g[["k", "samlet", *TEM_VALUES]]

    grid = tem.groupby("episode_id").apply(locf)
    first = grid[grid["k"] == 1]
    last = grid[grid["k"] == 12]
    t_locf = time.perf_counter()

    merged = ungmap[["episode_id", "risk"]].merge(first.reset_index()[["episode_id", "samlet"]], on="episode_id")
    merged = merged.merge(last.reset_index()[["episode_id", "samlet"]], on="episode_id", suffixes=("_first", "_last"))
    results = []
    for value in ["samlet", *TEM_VALUES]:
        f = first.reset_index()[["episode_id", value]].rename(columns={value: "a"})
        l_ = last.reset_index()[["episode_id", value]].rename(columns={value: "b"})
        pairs = f.merge(l_, on="episode_id").merge(ungmap[["episode_id", "risk"]], on="episode_id")
        for stratum, g in pairs.groupby("risk"):
            g = g.dropna()
            if len(g) > 2:
                results.append((value, stratum, stats.ttest_rel(g["a"], g["b"]).pvalue,
                                stats.wilcoxon(g["a"], g["b"], zero_method="wilcox").pvalue
                                if (g["a"] != g["b"]).any() else np.nan))
    t_tests = time.perf_counter()
    return {"seconds": round(t_tests - t0, 3), "steps": {"read": round(t_read - t0, 3),
            "measures": round(t_measures - t_read, 3), "LOCF": round(t_locf - t_measures, 3),
            "tests": round(t_tests - t_locf, 3)}, "episodes": len(logbog), "tests": len(results)}


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]))))
