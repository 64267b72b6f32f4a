"""SciPy side of `krylov bench decompositions`: times scipy.linalg on matrices built the same way
(n x n Gaussian A; SPD = A A^T + n I; not bit-identical: NumPy draws its own numbers) and prints JSON
{case: {"times": [ms...], "metrics": {"acc": residual}}}. Usage: python3 scipy_decompositions.py N"""
import json
import sys
import time

import numpy as np
import scipy.linalg as sla


def timed(fn, budget=1.5, min_runs=3):
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or (time.perf_counter() - start < budget and len(times) < 50):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return times


n = int(sys.argv[1])
rng = np.random.default_rng(n)
a = rng.standard_normal((n, n))
spd = a @ a.T + n * np.eye(n)
b = rng.standard_normal((n, 1))
rel = lambda x, y: float(np.linalg.norm(x - y) / np.linalg.norm(x))
out = {}
x = sla.solve(a, b)
out['LU solve'] = {'times': timed(lambda: sla.solve(a, b)), 'metrics': {'acc': rel(b, a @ x)}}
l = sla.cholesky(spd, lower=True)
out['Cholesky'] = {'times': timed(lambda: sla.cholesky(spd, lower=True)), 'metrics': {'acc': rel(spd, l @ l.T)}}
q, r = sla.qr(a)
out['QR (explicit Q)'] = {'times': timed(lambda: sla.qr(a)), 'metrics': {'acc': rel(a, q @ r)}}
u, s, vt = sla.svd(a, full_matrices=False)
out['SVD'] = {'times': timed(lambda: sla.svd(a, full_matrices=False)), 'metrics': {'acc': rel(a, (u * s) @ vt)}}
w, v = sla.eigh(spd)
out['symmetric eigen'] = {'times': timed(lambda: sla.eigh(spd)), 'metrics': {'acc': rel(spd @ v, v * w)}}
print(json.dumps(out))
