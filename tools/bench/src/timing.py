"""Timing for the Python side of `krylov bench` comparisons (SciPy, NumPy, scikit-learn), with the
runner's rule: one warm-up call, then at least `min_runs` timed calls and more until `budget`
seconds have passed (at most `max_runs`). Returns the times in milliseconds; `timed.faults_per_call`
then holds the minor page faults per timed call (the runner's 'faults/run' metric)."""
import resource
import time


def timed(fn, budget=1.5, min_runs=3, max_runs=50):
    fn()
    times = []
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    start = time.perf_counter()
    while len(times) < min_runs or (time.perf_counter() - start < budget and len(times) < max_runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    timed.faults_per_call = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / len(times)
    return times
