"""REML fit of the random-intercept cell-means model, with lme4's standard errors.

Model: :math:`y_{ij} = \\mu_{k(ij)} + u_i + e_{ij}`, :math:`u_i \\sim N(0, \\sigma_u^2)`,
:math:`e_{ij} \\sim N(0, \\sigma_e^2)`, i.e. R ``lme4::lmer(y ~ 0 + factor(k) + (1 | id), REML = TRUE)``.
With :math:`\\gamma = \\sigma_u^2/\\sigma_e^2` each person's covariance is
:math:`\\sigma_e^2 H_i`, :math:`H_i = I + \\gamma J`, :math:`H_i^{-1} = I - w_i J`,
:math:`w_i = \\gamma/(1 + \\gamma n_i)`, :math:`|H_i| = 1 + \\gamma n_i`, so every quantity reduces to
per-person sums: :math:`X^\\top H^{-1} X = \\operatorname{diag}(N_k) - S^\\top \\operatorname{diag}(w) S`
with :math:`S` the persons x registrations count matrix. The REML criterion is profiled over
:math:`\\sigma_e^2` and maximised in :math:`\\gamma \\ge 0` to machine precision; the standard errors
are :math:`\\sqrt{\\operatorname{diag}(\\hat\\sigma_e^2 (X^\\top H^{-1} X)^{-1})}`, the
:math:`(X^\\top V^{-1} X)^{-1}` lmer reports (statsmodels ``MixedLM.bse_fe`` takes them from the joint
inverse Hessian instead, which differs in unbalanced data).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize


@dataclass(frozen=True)
class RemlFit:
    """Means per registration, their standard errors and the variance components."""

    means: np.ndarray
    se: np.ndarray
    sigma2_person: float
    sigma2_residual: float
    converged: bool


def _sufficient(y: np.ndarray, person: np.ndarray, k: np.ndarray, n_k: int) -> tuple[np.ndarray, ...]:
    _, pidx = np.unique(person, return_inverse=True)
    n_p = int(pidx.max()) + 1
    counts = np.zeros((n_p, n_k))
    np.add.at(counts, (pidx, k), 1.0)
    ysum = np.bincount(pidx, weights=y, minlength=n_p)
    n_i = counts.sum(axis=1)
    yk = np.bincount(k, weights=y, minlength=n_k)
    return counts, ysum, n_i, yk


def _solve(gamma: float, counts: np.ndarray, ysum: np.ndarray, n_i: np.ndarray, yk: np.ndarray,
           n_total_k: np.ndarray, yy: float) -> tuple[np.ndarray, np.ndarray, float, float]:
    """beta(gamma), X'H^-1X, r'H^-1r and log|H| for one gamma."""
    w = gamma / (1.0 + gamma * n_i)
    a = np.diag(n_total_k) - counts.T @ (counts * w[:, None])
    b = yk - counts.T @ (w * ysum)
    beta = np.linalg.solve(a, b)
    resid_sum = ysum - counts @ beta
    rss = yy - 2.0 * float(beta @ yk) + float(beta @ (n_total_k * beta))
    quad = rss - float(np.sum(w * resid_sum**2))
    return beta, a, max(quad, 0.0), float(np.sum(np.log1p(gamma * n_i)))


def fit_random_intercept(y: np.ndarray, person: np.ndarray, k: np.ndarray) -> RemlFit:
    """REML fit of ``y ~ 0 + factor(k) + (1 | person)``; ``k`` are codes 0..K-1, every code present.

    >>> y = np.array([5, 6, 8, 4, 6, 6, 5, 8, 3, 5, 7, 6, 7, 9, 2, 4, 5, 6.0])
    >>> person = np.repeat(np.arange(8), [3, 2, 3, 1, 3, 2, 3, 1])
    >>> k = np.array([0, 1, 2, 0, 1, 0, 1, 2, 0, 0, 1, 2, 0, 1, 0, 1, 2, 0])
    >>> fit = fit_random_intercept(y, person, k)
    >>> [round(float(v), 5) for v in fit.se]        # lme4::lmer(y ~ 0 + factor(k) + (1 | id)): SE of k = 3
    [0.59168, 0.63873, 0.70978]
    """
    n_k = int(k.max()) + 1
    counts, ysum, n_i, yk = _sufficient(y, person, k, n_k)
    n_total_k = counts.sum(axis=0)
    yy = float(y @ y)
    n, p = y.size, n_k
    dof = n - p

    def neg_reml(log_gamma: float) -> float:
        gamma = math.exp(log_gamma)
        _, a, quad, logdet_h = _solve(gamma, counts, ysum, n_i, yk, n_total_k, yy)
        if quad <= 0.0:
            return math.inf
        _, logdet_a = np.linalg.slogdet(a)
        return 0.5 * (dof * math.log(quad / dof) + logdet_h + logdet_a)

    # Coarse grid over log(gamma), then Brent's method around the best grid point; gamma = 0 (no
    # person variance) is the boundary, taken when it beats the interior optimum.
    grid = np.linspace(-20.0, 12.0, 65)
    values = np.array([neg_reml(g) for g in grid])
    best = int(np.nanargmin(values))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    res = optimize.minimize_scalar(neg_reml, bounds=(lo, hi), method="bounded",
                                   options={"xatol": 1e-12, "maxiter": 500})
    gamma = math.exp(float(res.x)) if res.fun <= values[best] else math.exp(float(grid[best]))
    converged = bool(res.success)
    beta, a, quad, _ = _solve(gamma, counts, ysum, n_i, yk, n_total_k, yy)
    zero_beta, zero_a, zero_quad, _ = _solve(0.0, counts, ysum, n_i, yk, n_total_k, yy)
    zero_crit = 0.5 * (dof * math.log(zero_quad / dof) + float(np.linalg.slogdet(zero_a)[1])) if zero_quad > 0 else math.inf
    if zero_crit < neg_reml(math.log(gamma)):
        gamma, beta, a, quad = 0.0, zero_beta, zero_a, zero_quad
    sigma2 = quad / dof
    cov = sigma2 * np.linalg.inv(a)
    return RemlFit(means=beta, se=np.sqrt(np.diag(cov)), sigma2_person=gamma * sigma2, sigma2_residual=sigma2,
                   converged=converged)
