"""scikit-learn / NumPy side of `krylov bench sketching`: times randomized_svd on the same kind of
matrix (m x n, rank-20 signal plus a decaying tail, built the same way from a seeded generator)
and numpy.linalg.lstsq on the least-squares problem, printing JSON {case: {"times": [...],
"metrics": {...}}}. Usage: python3 sklearn_sketching.py 2000x200,20000x2000 50000x500 (SVD sizes, then
the least-squares size)."""
import json
from pathlib import Path
import sys

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / 'tools' / 'bench' / 'src'))
from timing import timed  # noqa: E402  (the runner's timing rule, shared by the Python benches)



def spectrum(r):
    return np.array([1.0 if i < 20 else 0.1 * (i - 19) ** -1.0 for i in range(r)])


def with_spectrum(m, n, s, rng):
    u, _ = np.linalg.qr(rng.standard_normal((m, len(s))))
    v, _ = np.linalg.qr(rng.standard_normal((n, len(s))))
    return (u * s) @ v.T


sizes = [tuple(map(int, p.split('x'))) for p in sys.argv[1].split(',')]
lm, ln = map(int, sys.argv[2].split('x'))
rng = np.random.default_rng(0)
out = {}
s = spectrum(100)
try:
    from sklearn.utils.extmath import randomized_svd
except ImportError:
    randomized_svd = None
for m, n in sizes if randomized_svd else []:
    a = with_spectrum(m, n, s, rng)
    result = {}

    def run():
        result['usv'] = randomized_svd(a, 20, n_oversamples=10, n_iter='auto', random_state=0)

    times = timed(run)
    u, sv, vt = result['usv']
    err = np.linalg.norm(a - (u * sv) @ vt, 2) / s[20]
    out[f'randomized SVD rank 20, {m}x{n}'] = {'times': times, 'metrics': {'error / sigma_21': float(err)}}
g = rng.standard_normal((lm, ln)) / np.sqrt(lm)
v, _ = np.linalg.qr(rng.standard_normal((ln, ln)))
ls = (g * np.logspace(0, -8, ln)) @ v.T
b = rng.standard_normal(lm)
out[f'least squares {lm}x{ln}, cond 1e8'] = {'times': timed(lambda: np.linalg.lstsq(ls, b, rcond=None))}
print(json.dumps(out))
