"""SciPy side of `krylov bench sparse-direct`: times splu (permc_spec MMD_AT_PLUS_A) on 2-D Poisson,
eigsh with sigma = 0, and spsolve, in this process; prints JSON {case: {"times": [ms...], "metrics": {...}}}.
Usage: python3 scipy_sparse_direct.py <cholesky side> <eigsh side>. Same matrices and right-hand
sides (b_i = sin(i + 1)) as the TypeScript cases."""
import json
from pathlib import Path
import sys

import numpy as np
import scipy.io
import scipy.sparse as sp
import scipy.sparse.linalg as spla

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / 'tools' / 'bench' / 'src'))
from timing import timed  # noqa: E402  (the runner's timing rule, shared by the Python benches)


def poisson2d(n):
    t = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(n, n))
    return (sp.kron(sp.identity(n), t) + sp.kron(t, sp.identity(n))).tocsc()


def rel_residual(a, x, b):
    return float(np.linalg.norm(b - a @ x) / np.linalg.norm(b))


chol_side, eig_side = int(sys.argv[1]), int(sys.argv[2])
out = {}

a = poisson2d(chol_side)
n = a.shape[0]
lu = [None]


def factor():
    lu[0] = spla.splu(a, permc_spec='MMD_AT_PLUS_A')


times = timed(factor, budget=1.0, min_runs=3, max_runs=5)
out[f'sparse factorization poisson2d n={n}'] = {
    'times': times,
    'metrics': {'nnz(L)': int(lu[0].L.nnz), 'nnz(L+U)': int(lu[0].L.nnz + lu[0].U.nnz)},
}

a = poisson2d(eig_side)
n = a.shape[0]
exact = np.sort(
    (4 * np.sin(np.pi * np.arange(1, 4) / (2 * (eig_side + 1))) ** 2)[:, None]
    + (4 * np.sin(np.pi * np.arange(1, 4) / (2 * (eig_side + 1))) ** 2)[None, :],
    axis=None,
)[:4]
vals = [None]


def eig():
    vals[0] = np.sort(spla.eigsh(a, k=4, sigma=0, return_eigenvectors=False))


times = timed(eig)
out[f'eigsh k=4 sigma=0 poisson2d n={n}'] = {
    'times': times,
    'metrics': {'max |lambda - exact|': float(np.max(np.abs(vals[0] - exact)))},
}

fixtures = Path(__file__).resolve().parents[1] / 'test' / 'fixtures'
for name, mat in [('convdiff20 n=400', scipy.io.mmread(fixtures / 'convdiff20.mtx').tocsc()), (f'poisson2d n={n}', a)]:
    b = np.sin(np.arange(1, mat.shape[0] + 1))
    x = [None]

    def run():
        x[0] = spla.spsolve(mat, b)

    times = timed(run)
    out[f'spsolve {name}'] = {'times': times, 'metrics': {'||b - Ax|| / ||b||': rel_residual(mat, x[0], b)}}
print(json.dumps(out))
