"""Section 6.4 (optional): model-based sensitivity analysis beside LOCF."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from evalkit.report._build import quiet
from evalkit.report._build.bilingual import fill, number
from evalkit.report.model import Cell, Table, Text
from evalkit.report.spec import Context, TableSpec
from evalkit.report.ung_rusmidler.ch_tem import _trajectory_table
from evalkit.report.ung_rusmidler.prepared import _prep
from evalkit.report.ung_rusmidler.settings import _sensitivity
from evalkit.report.ung_rusmidler.tem_measures import Measure
from evalkit.report.ung_rusmidler.text import TXT


def _model_spec(m: Measure) -> TableSpec:
    tid = f"tem_{m.key}_model"
    title = fill(TXT("templates.model_title"), measure=m.label)

    def build(ctx: Context) -> Table | None:
        sens = _sensitivity(ctx)
        if sens is None or m.key not in sens["measures"]:
            return None
        return _model_table(ctx, m, sens, tid, title)

    # an optional table: build returns None unless the setting `sensitivity` asks for it (TableSpec allows that)
    return TableSpec(tid, m.source, title, cast(Callable[[Context], Table], build),
                     description=f"{m.key}: optional model-based sensitivity analysis")


def _model_table(ctx: Context, m: Measure, sens: Mapping[str, Any], tid: str, title: Text) -> Table:
    """LOCF and observed means beside means per registration from a mixed model / GEE on observed forms."""
    from evalkit.compare import locf, model_means

    prep = _prep(ctx)
    g = prep.groupings["behandling"]
    grid = prep.grids["main"]
    K = grid.upto
    scale = float(prep.scale[m.key])
    value = grid.sorted_values(prep.form_values[m.key])    # the kept forms, in (episode, k) order
    units = np.flatnonzero(g.codes >= 0)
    sel = (g.codes[grid.unit] >= 0) & ~np.isnan(value)
    long = pd.DataFrame({"unit": grid.unit[sel], "k": grid.k[sel].astype(np.int64) + 1, "value": value[sel] / scale})
    frame = locf(long, id="unit", order="k", values="value", upto=K, cohort=units)
    res = quiet(model_means, frame, "value", method=sens["method"], cov_struct=sens["cov_struct"])
    model = (TXT("templates.model_mixedlm") if sens["method"] == "mixedlm"
             else fill(TXT("templates.model_gee"), cov=TXT(f"rules.cov_struct.{sens['cov_struct']}")))
    used = number(res.n_persons_used)
    subset = fill(TXT("templates.model_subset"), n=used, seed=res.seed) if res.subsampled else Text("", "")
    note = fill(TXT("templates.model_note"), model=model, subset=subset,
                converged=TXT("templates.yes") if res.converged else TXT("templates.no"))
    table = _trajectory_table(ctx, m, g, tid, m.source, title, tests=False, lead_notes=[note])
    factor = 100.0 if m.kind == "percent" else 1.0
    est = res.table.reindex(range(1, K + 1))
    for key, col, label in (("model", "mean", TXT("tem_model.model")),
                            ("model_ki_nedre", "ci_low", TXT("tem_model.model_95_ci_lower")),
                            ("model_ki_oevre", "ci_high", TXT("tem_model.model_95_ci_upper"))):
        cells = {}
        for k in range(1, K + 1):
            v, n = est.loc[k, col], est.loc[k, "n_observed"]
            n = 0 if pd.isna(n) else int(n)
            cells[f"tem_{k}"] = Cell(None if pd.isna(v) else float(v) * factor, "mean", decimals=1, n=n)
        table.add_row(key, label, cells)
    return table
