"""Section 6.4 (optional): model-based sensitivity analysis beside LOCF."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from evalkit.report._build import quiet
from evalkit.report._build.bilingual_hcs import fill
from evalkit.report.labels import format_number
from evalkit.report.model import Cell, T, Table, Text
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
    table = _trajectory_table(ctx, m, g, tid, m.source, title, tests=False)
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
    what = {"mixedlm": ("lineær mixed model med tilfældigt intercept pr. forløb (REML)",
                        "linear mixed model with a random intercept per episode (REML)"),
            "gee": (f"GEE med {sens['cov_struct']} arbejdskorrelation og robuste standardfejl",
                    f"GEE with {sens['cov_struct']} working correlation and robust standard errors")}[sens["method"]]
    used_da, used_en = format_number(res.n_persons_used, "da"), format_number(res.n_persons_used, "en")
    sub_da = (f"; tilpasset på en tilfældig delmængde af {used_da} forløb (seed {res.seed})"
              if res.subsampled else "")
    sub_en = (f"; fitted on a random subset of {used_en} episodes (seed {res.seed})"
              if res.subsampled else "")
    table.notes.insert(0, T(
        f"Følsomhedsanalyse: middelværdi pr. registrering fra en {what[0]}, kun på "
        f"observerede besvarelser, uden LOCF{sub_da}. Konvergeret: "
        f"{'ja' if res.converged else 'nej'}.",
        f"Sensitivity analysis: mean per registration from a {what[1]}, on observed "
        f"answers only, without LOCF{sub_en}. Converged: {'yes' if res.converged else 'no'}."))
    return table
