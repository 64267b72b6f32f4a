"""SciPy side of `krylov bench decompositions`: times scipy.linalg on matrices built the same way
(n x n Gaussian A; SPD = A A^T + n I; not bit-identical: NumPy draws its own numbers) and prints JSON
{case: {"times": [ms...], "metrics": {"acc": residual, "faults/run": minor page faults per timed call}}}.
Usage: python3 scipy_decompositions.py N [CASE...] (only the named cases when given); with no case
names it serves: a JSON line {"ready": true} once set up, then one case name per line on stdin, one
JSON line {"times", "metrics"} back. The bench
starts it once, early, and asks for each case right after Krylov's native case (same machine load):
a fork of the Node process later would make its heap copy-on-write and fault the next native calls."""
import json
from pathlib import Path
import sys

import numpy as np
import scipy.linalg as sla

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / 'tools' / 'bench' / 'src'))
from timing import timed  # noqa: E402  (the runner's timing rule, shared by the Python benches)



n = int(sys.argv[1])
rng = np.random.default_rng(n)
a = rng.standard_normal((n, n))
spd = a @ a.T + n * np.eye(n)
b = rng.standard_normal((n, 1))
rel = lambda x, y: float(np.linalg.norm(x - y) / np.linalg.norm(x))


def cases(a, spd, b, suffix):
    """The five cases on one set of inputs (float64, or float32: LAPACK's s-routines)."""
    def lu_solve():
        x = sla.solve(a, b)
        return {'times': timed(lambda: sla.solve(a, b)), 'metrics': {'acc': rel(b, a @ x)}}

    def cholesky():
        l = sla.cholesky(spd, lower=True)
        return {'times': timed(lambda: sla.cholesky(spd, lower=True)), 'metrics': {'acc': rel(spd, l @ l.T)}}

    def qr():
        q, r = sla.qr(a)
        return {'times': timed(lambda: sla.qr(a)), 'metrics': {'acc': rel(a, q @ r)}}

    def svd():
        u, s, vt = sla.svd(a, full_matrices=False)
        return {'times': timed(lambda: sla.svd(a, full_matrices=False)), 'metrics': {'acc': rel(a, (u * s) @ vt)}}

    def eigh():
        w, v = sla.eigh(spd)
        return {'times': timed(lambda: sla.eigh(spd)), 'metrics': {'acc': rel(spd @ v, v * w)}}

    named = {'LU solve': lu_solve, 'Cholesky': cholesky, 'QR (explicit Q)': qr, 'SVD': svd, 'symmetric eigen': eigh}
    return {name + suffix: case for name, case in named.items()}


def counting_faults(case):
    """`case`'s result with the minor page faults per timed call in its metrics, as the runner reports them."""
    out = case()
    out['metrics']['faults/run'] = round(timed.faults_per_call)
    return out


f32 = np.float32
CASES = {**cases(a, spd, b, ''), **cases(a.astype(f32), spd.astype(f32), b.astype(f32), ' f32')}
if sys.argv[2:]:
    print(json.dumps({name: counting_faults(CASES[name]) for name in sys.argv[2:]}))
else:
    print(json.dumps({'ready': True}), flush=True)
    for line in sys.stdin:
        print(json.dumps(counting_faults(CASES[line.strip()])), flush=True)
