# Writes scipy-vectors.json: reference values for src/monitoring/stats/*.test.ts, computed by SciPy
# (BSD-3-Clause). Run from this folder: python3 scipy-vectors.py (SciPy and NumPy installed).
import json

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

rng = np.random.default_rng(20261130)


def sample(n, loc=0.0, scale=1.0):
    return [float(x) for x in np.round(rng.normal(loc, scale, n), 3)]


def golden(n, step, factor):
    # The same IEEE operations in JavaScript give the same numbers: no sample file needed.
    return [((i * step) % 1) * factor for i in range(n)]


ks_small = []
for name, a, b in [
    ('25 vs 30, shifted', sample(25), sample(30, 0.5)),
    ('40 vs 40, same distribution', sample(40), sample(40)),
    ('7 vs 300', sample(7), sample(300, 0.2)),
    ('200 vs 150, wider', sample(200), sample(150, 0.0, 1.4)),
    ('12 vs 9 with ties', [float(x) for x in rng.integers(0, 5, 12)], [float(x) for x in rng.integers(1, 6, 9)]),
]:
    r = stats.ks_2samp(a, b, method='exact')
    ks_small.append({'name': name, 'reference': a, 'current': b, 'statistic': float(r.statistic), 'pvalue': float(r.pvalue)})

ks_large = []
for n1, n2, f in [(20000, 15000, 1.0), (20000, 15000, 1.02), (12000, 30000, 1.01)]:
    a = golden(n1, 0.6180339887498949, 1.0)
    b = golden(n2, 0.7548776662466927, f)
    r = stats.ks_2samp(a, b, method='auto')
    en = n1 * n2 / (n1 + n2)
    ks_large.append({
        'reference': {'n': n1, 'step': 0.6180339887498949, 'factor': 1.0},
        'current': {'n': n2, 'step': 0.7548776662466927, 'factor': f},
        'statistic': float(r.statistic),
        'pvalue_scipy_auto': float(r.pvalue),
        'pvalue_kolmogorov_limit': float(stats.kstwobign.sf(r.statistic * np.sqrt(en))),
    })

kolmogorov = [{'x': x, 'sf': float(stats.kstwobign.sf(x))} for x in [0.2, 0.5, 0.8, 1.0, 1.2, 1.3581, 1.6, 2.0, 3.0, 4.0]]
chi2_sf = [{'x': x, 'df': df, 'sf': float(stats.chi2.sf(x, df))}
           for x, df in [(3.1746, 5), (0.5, 1), (10.0, 3), (80.0, 50), (150.0, 120), (30.0, 4), (1e-3, 2), (45.0, 10)]]

contingency = []
for ref, cur in [([16, 18, 16, 14, 12, 12], [16, 16, 16, 16, 16, 8]), ([30, 20, 50], [25, 30, 45]), ([1000, 2000, 500, 10], [980, 2100, 480, 40]), ([10, 10, 10], [10, 10, 10])]:
    chi2, p, dof, _ = stats.chi2_contingency([ref, cur], correction=False)
    contingency.append({'reference': ref, 'current': cur, 'statistic': float(chi2), 'pvalue': float(p), 'df': int(dof)})

gof = []
for observed, shares in [([40, 35, 25], [0.5, 0.3, 0.2]), ([510, 260, 130, 100], [0.6, 0.2, 0.1, 0.1])]:
    total = sum(observed)
    r = stats.chisquare(observed, [s * total for s in shares])
    gof.append({'observed': observed, 'shares': shares, 'statistic': float(r.statistic), 'pvalue': float(r.pvalue)})

js = []
for p, q in [([0.1, 0.2, 0.7], [0.3, 0.3, 0.4]), ([0.5, 0.5, 0.0], [0.0, 0.5, 0.5]), ([1, 0], [0, 1]), ([0.25] * 4, [0.25] * 4)]:
    js.append({'p': p, 'q': q, 'distance': float(distance.jensenshannon(p, q, base=2))})

auc = []
for scores, labels in [
    ([0.1, 0.4, 0.35, 0.8, 0.65, 0.2, 0.9, 0.3], [0, 0, 1, 1, 1, 0, 1, 0]),
    ([0.5, 0.5, 0.5, 0.2, 0.8, 0.8, 0.1], [1, 0, 1, 0, 1, 0, 0]),
]:
    pos = [s for s, l in zip(scores, labels) if l == 1]
    neg = [s for s, l in zip(scores, labels) if l == 0]
    u = stats.mannwhitneyu(pos, neg).statistic
    auc.append({'scores': scores, 'labels': labels, 'auc': float(u / (len(pos) * len(neg)))})

out = {
    '_source': 'computed by scipy-vectors.py with SciPy %s, NumPy %s' % (scipy.__version__, np.__version__),
    'ks_small_exact': ks_small,
    'ks_large': ks_large,
    'kolmogorov_sf': kolmogorov,
    'chi2_sf': chi2_sf,
    'chi2_contingency': contingency,
    'chi2_goodness_of_fit': gof,
    'jensenshannon_base2': js,
    'auc_mann_whitney': auc,
}
with open('scipy-vectors.json', 'w') as f:
    json.dump(out, f, indent=1)
    f.write('\n')
