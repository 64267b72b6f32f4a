"""NumPy side of `krylov bench overhead`: per-call time of small operations, each timed as a loop
of CALLS calls (so the runner's milliseconds per run read as microseconds per call). Serves one case
name per stdin line after a {"ready": true} line, answering {"times": [ms...]} (see lineWorker)."""
import json
from pathlib import Path
import sys

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / 'tools' / 'bench' / 'src'))
from timing import timed  # noqa: E402

CALLS = int(sys.argv[1])
rng = np.random.default_rng(4)
v = rng.standard_normal(4)
a4 = rng.standard_normal((4, 4))
a16 = rng.standard_normal((16, 16))
ops = {
    'add 4-vector': lambda: v + v,
    'scalar * 4-vector': lambda: 2.5 * v,
    'dot 4-vector': lambda: v @ v,
    'sum 4-vector': lambda: v.sum(),
    'norm 4-vector': lambda: np.linalg.norm(v),
    'matmul 4x4': lambda: a4 @ a4,
    'matmul 16x16': lambda: a16 @ a16,
}


def loop(f):
    def run():
        for _ in range(CALLS):
            f()
    return run


print(json.dumps({'ready': True}), flush=True)
for line in sys.stdin:
    name = line.strip()
    print(json.dumps({'times': timed(loop(ops[name]), budget=0.6, min_runs=5, max_runs=30)}), flush=True)
