"""SciPy side of `krylov bench solvers`: times SpMV and CG on 2-D Poisson in this process and
prints JSON {case: {"times": [ms...], "metrics": {...}}}. Usage: python3 scipy_solvers.py 100 316 1000
(grid sides). Same matrices, right-hand sides and iteration counts as the TypeScript cases."""
import inspect
import json
from pathlib import Path
import sys

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / 'tools' / 'bench' / 'src'))
from timing import timed  # noqa: E402  (the runner's timing rule, shared by the Python benches)


CG_STEPS = 20
# SciPy renamed cg's tol to rtol in 1.12; Debian 12 ships 1.10.
RTOL = 'rtol' if 'rtol' in inspect.signature(spla.cg).parameters else 'tol'


def poisson2d(n):
    t = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(n, n))
    return (sp.kron(sp.identity(n), t) + sp.kron(t, sp.identity(n))).tocsr()


out = {}
for side in map(int, sys.argv[1:]):
    a = poisson2d(side)
    n = a.shape[0]
    x = np.sin(np.arange(1, n + 1))
    out[f'spmv poisson2d n={n}'] = {'times': timed(lambda: a @ x)}
    out[f'cg {CG_STEPS} iterations poisson2d n={n}'] = {
        'times': timed(lambda: spla.cg(a, x, **{RTOL: 0.0}, atol=0.0, maxiter=CG_STEPS))
    }
    if n <= 200_000:
        count = [0]

        def solve():
            count[0] = 0
            spla.cg(a, x, **{RTOL: 1e-8}, maxiter=10 * n, callback=lambda _: count.__setitem__(0, count[0] + 1))

        times = timed(solve)
        out[f'cg to rtol 1e-8 poisson2d n={n}'] = {'times': times, 'metrics': {'iterations': count[0]}}
print(json.dumps(out))
