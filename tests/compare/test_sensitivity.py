"""Model-based sensitivity analysis: closed-form checks on balanced complete data, subsampling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.compare import locf, model_means


def _complete(n_persons: int, upto: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    person = rng.normal(0, 1.5, n_persons)
    rows = [(f"P{i:04d}", k, 5 + 0.2 * k + person[i] + rng.normal(0, 1)) for i in range(n_persons) for k in range(upto)]
    return pd.DataFrame(rows, columns=["id", "k", "y"])


def test_mixedlm_on_balanced_complete_data_gives_observed_means() -> None:
    # Balanced, complete cell-means design: GLS = OLS, so mu_k = the observed mean at k and
    # Var(mu_k) = (sigma_u^2 + sigma_e^2)/n whatever the variance components.
    df = _complete(60, 4, seed=1)
    frame = locf(df, id="id", order="k", values="y", upto=4)
    r = model_means(frame, "y")
    observed = df.groupby("k")["y"].mean().to_numpy()
    np.testing.assert_allclose(r.table["mean"].to_numpy(), observed, rtol=1e-8)
    assert r.converged and not r.subsampled and r.n_persons == r.n_persons_used == 60
    assert r.n_observations == 240 and r.table["n_observed"].tolist() == [60] * 4
    assert r.method.startswith("Linear mixed model (random intercept, REML)")
    assert r.runtime_seconds > 0


def test_mixedlm_standard_errors_from_the_variance_components() -> None:
    import statsmodels.api as sm

    df = _complete(50, 3, seed=2)
    r = model_means(locf(df, id="id", order="k", values="y", upto=3), "y")
    exog = (df["k"].to_numpy()[:, None] == np.arange(3)[None, :]).astype(float)
    fit = sm.MixedLM(df["y"].to_numpy(), exog, groups=df["id"].to_numpy()).fit(reml=True)
    se = np.sqrt((float(np.asarray(fit.cov_re)[0, 0]) + fit.scale) / 50)
    np.testing.assert_allclose(r.table["se"].to_numpy(), se, rtol=1e-5)


@pytest.mark.parametrize("cov_struct", ["exchangeable", "independence", "unstructured"])
def test_gee_robust_errors_on_balanced_complete_data(cov_struct: str) -> None:
    # With X_i = I_K for every person, the sandwich reduces to sum_i e_ik^2 / n^2 for any working correlation.
    df = _complete(80, 3, seed=3)
    r = model_means(locf(df, id="id", order="k", values="y", upto=3), "y", method="gee", cov_struct=cov_struct)
    wide = df.pivot(index="id", columns="k", values="y").to_numpy()
    resid = wide - wide.mean(axis=0)
    np.testing.assert_allclose(r.table["mean"].to_numpy(), wide.mean(axis=0), rtol=1e-8)
    np.testing.assert_allclose(r.table["se"].to_numpy(), np.sqrt((resid**2).sum(axis=0)) / 80, rtol=1e-6)
    assert cov_struct in r.method


def test_only_observed_registrations_enter_and_subsampling_is_reported() -> None:
    rng = np.random.default_rng(5)
    rows = []
    for i in range(300):
        for k in range(int(rng.integers(1, 5))):  # dropout: LOCF would carry, the model must not
            rows.append((f"P{i:03d}", k, float(rng.normal(5 + k, 1))))
    frame = locf(pd.DataFrame(rows, columns=["id", "k", "y"]), id="id", order="k", values="y", upto=4)
    full = model_means(frame, "y", method="gee")
    assert full.n_observations == len(rows) and not full.subsampled
    part = model_means(frame, "y", method="gee", max_persons=100, seed=7)
    again = model_means(frame, "y", method="gee", max_persons=100, seed=7)
    assert part.subsampled and part.n_persons == 300 and part.n_persons_used == 100 and part.seed == 7
    assert "random subsample of 100 of 300 persons (seed 7)" in part.method
    pd.testing.assert_frame_equal(part.table, again.table)
    tidy = part.to_frame()
    assert {"mean", "ci_low", "ci_high", "runtime_seconds", "subsampled", "seed"} <= set(tidy.columns)
    z = 1.959963984540054
    np.testing.assert_allclose(tidy["ci_high"] - tidy["mean"], z * tidy["se"], rtol=1e-12)


def test_mixedlm_standard_errors_match_lmer_on_unbalanced_data() -> None:
    # Issue 15 example 6: persons A..H with 1-3 registrations each.
    # R: lme4::lmer(y ~ 0 + factor(k) + (1 | id), REML = TRUE) -> SE of factor(k)3 = 0.709777
    # (statsmodels MixedLM's joint inverse Hessian gave 0.711364).
    values = {"A": [5, 6, 8], "B": [4, 6], "C": [6, 5, 8], "D": [3], "E": [5, 7, 6], "F": [7, 9], "G": [2, 4, 5], "H": [6]}
    rows = [(p, k + 1, float(v)) for p, vs in values.items() for k, v in enumerate(vs)]
    df = pd.DataFrame(rows, columns=["id", "k", "y"])
    r = model_means(locf(df, id="id", order="k", values="y", upto=3), "y")
    assert r.table.loc[3, "se"] == pytest.approx(0.709777, abs=1e-5)
    # independent check: GLS with the REML variance components, V_i = s2e I + s2u J per person
    import statsmodels.api as sm

    exog = (df["k"].to_numpy()[:, None] == np.arange(1, 4)[None, :]).astype(float)
    fit = sm.MixedLM(df["y"].to_numpy(), exog, groups=df["id"].to_numpy()).fit(reml=True)
    s2u, s2e = float(np.asarray(fit.cov_re)[0, 0]), float(fit.scale)
    info = np.zeros((3, 3))
    for person in values:
        x = exog[(df["id"] == person).to_numpy()]
        v = s2e * np.eye(len(x)) + s2u * np.ones((len(x), len(x)))
        info += x.T @ np.linalg.solve(v, x)
    np.testing.assert_allclose(r.table["se"].to_numpy(), np.sqrt(np.diag(np.linalg.inv(info))), rtol=1e-4)
    np.testing.assert_allclose(r.table["mean"].to_numpy(), np.asarray(fit.fe_params), rtol=1e-6)


def test_model_means_degenerate_input_returns_a_status() -> None:
    df = pd.DataFrame({"id": ["A", "A"], "k": [1, 2], "y": [3.0, 4.0]})
    r = model_means(locf(df, id="id", order="k", values="y", upto=2), "y")
    assert r.status == "too_small" and r.reason and r.table["mean"].isna().all()
