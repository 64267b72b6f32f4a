"""scikit-learn side of `krylov bench lowrank`: NMF and TruncatedSVD on the very matrices the
TypeScript suite built (read from the float64/int32 files it wrote into DIR), printing JSON
{case: {"times": [...], "metrics": {...}}}. Usage: python3 sklearn_lowrank.py DIR (needs
scikit-learn; the suite picks a python3 that has it)."""
import json
from pathlib import Path
import sys
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import NMF, TruncatedSVD

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / 'tools' / 'bench' / 'src'))
from timing import timed  # noqa: E402

warnings.simplefilter('ignore')
d = Path(sys.argv[1])
meta = json.loads((d / 'meta.json').read_text())
m, n = meta['dense']
X = np.fromfile(d / 'dense.bin', dtype=np.float64).reshape(m, n)
sm, sn = meta['sparse']
S = sp.csr_matrix(
    (np.fromfile(d / 'data.bin', dtype=np.float64), np.fromfile(d / 'indices.bin', dtype=np.int32), np.fromfile(d / 'indptr.bin', dtype=np.int32)),
    shape=(sm, sn),
)
k = meta['k']
out = {}
for name, A, kw in meta['nmf']:
    A = X if A == 'dense' else S
    res = {}

    def run():
        model = NMF(n_components=k, **kw)
        res['W'] = model.fit_transform(A)
        res['model'] = model

    times = timed(run, min_runs=1)
    out[name] = {'times': times, 'metrics': {'error': float(res['model'].reconstruction_err_), 'iterations': res['model'].n_iter_}}
tm, tn = meta['svd']
T = np.fromfile(d / 'svd.bin', dtype=np.float64).reshape(tm, tn)
for algorithm in ('randomized', 'arpack'):
    res = {}

    def run():
        res['svd'] = TruncatedSVD(n_components=k, algorithm=algorithm, random_state=0).fit(T)

    times = timed(run, min_runs=1)
    s = res['svd'].singular_values_
    out[f'{meta["svdName"]} ({algorithm})'] = {'times': times, 'metrics': {'sigma_k rel. error': float(abs(s[-1] - meta['sigma_k']) / meta['sigma_k'])}}
print(json.dumps(out))
