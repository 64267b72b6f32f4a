import { InvalidArgumentError } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  LinearOperator,
  type SolveResult,
  bicgstab,
  bicgstabAsync,
  cg,
  cgAsync,
  fgmres,
  fgmresAsync,
  gmres,
  gmresAsync,
  lsmr,
  lsmrAsync,
  lsqr,
  lsqrAsync,
  minres,
  minresAsync,
  poisson,
} from '../src/index.js';
import { sines } from './helpers.js';

// A 1-D Laplacian large enough that CG needs thousands of iterations (about a second of work).
function laplacian(n: number): LinearOperator {
  const apply = (x: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) out[i] = 2 * x[i] - (i > 0 ? x[i - 1] : 0) - (i < n - 1 ? x[i + 1] : 0);
  };
  return new LinearOperator([n, n], apply, apply);
}

// Runs of several seconds to maxiter; a 50 ms timer must stop them. The elapsed-time bound is
// generous (2 s) because CI shares 2 cores among parallel test runs; 'aborted' is the real check.
const slow = { n: 40_000, rtol: 1e-14, maxiter: 20_000 };

describe('async forms of the iterative solvers', () => {
  it('AbortSignal.timeout(50) stops cgAsync early with the partial iterate and history', async () => {
    const A = laplacian(slow.n);
    const b = sines(slow.n);
    const t0 = performance.now();
    const r = await cgAsync(A, b, {
      rtol: slow.rtol,
      maxiter: slow.maxiter,
      signal: AbortSignal.timeout(50),
    });
    const elapsed = performance.now() - t0;
    expect(r.reason).toBe('aborted');
    expect(r.converged).toBe(false);
    expect(r.iterations).toBeGreaterThan(0);
    expect(r.residualHistory.length).toBe(r.iterations + 1);
    expect(elapsed).toBeLessThan(2000);
  });

  it('every async solver is stopped by a timer signal', async () => {
    const A = laplacian(slow.n);
    const b = sines(slow.n);
    const o = { maxiter: slow.maxiter };
    const runs: [string, (s: AbortSignal) => Promise<SolveResult>][] = [
      ['minresAsync', (signal) => minresAsync(A, b, { ...o, rtol: slow.rtol, signal })],
      ['gmresAsync', (signal) => gmresAsync(A, b, { ...o, rtol: slow.rtol, signal })],
      ['fgmresAsync', (signal) => fgmresAsync(A, b, { ...o, rtol: slow.rtol, signal })],
      ['bicgstabAsync', (signal) => bicgstabAsync(A, b, { ...o, rtol: slow.rtol, signal })],
      ['lsqrAsync', (signal) => lsqrAsync(A, b, { ...o, atol: 0, btol: 0, conlim: 0, signal })],
      ['lsmrAsync', (signal) => lsmrAsync(A, b, { ...o, atol: 0, btol: 0, conlim: 0, signal })],
    ];
    for (const [name, run] of runs) {
      const t0 = performance.now();
      const r = await run(AbortSignal.timeout(50));
      expect([name, r.reason]).toEqual([name, 'aborted']);
      expect(performance.now() - t0).toBeLessThan(2000);
    }
  });

  it('keeps the event loop turning: a 1 ms interval ticks during the solve', async () => {
    const A = laplacian(20_000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const r = await cgAsync(A, sines(20_000), { rtol: 1e-14, maxiter: 1000 });
    clearInterval(timer);
    expect(r.iterations).toBeGreaterThan(100);
    expect(ticks).toBeGreaterThan(3);
  });

  it('returns the sync form result bit for bit', async () => {
    const spd = poisson([15, 15]);
    const b = sines(225);
    const pairs: [SolveResult, SolveResult][] = [
      [cg(spd, b), await cgAsync(spd, b)],
      [minres(spd, b), await minresAsync(spd, b)],
      [gmres(spd, b, { restart: 10 }), await gmresAsync(spd, b, { restart: 10 })],
      [fgmres(spd, b), await fgmresAsync(spd, b)],
      [bicgstab(spd, b), await bicgstabAsync(spd, b)],
      [lsqr(spd, b), await lsqrAsync(spd, b)],
      [lsmr(spd, b), await lsmrAsync(spd, b)],
    ];
    for (const [sync, async] of pairs) {
      expect(Array.from(async.x.data)).toEqual(Array.from(sync.x.data));
      expect(async.residualHistory).toEqual(sync.residualHistory);
      expect(async.reason).toBe(sync.reason);
    }
  });

  it('rejects (not throws) on bad input, naming the async function', async () => {
    const p = cgAsync(poisson([3, 3]), [1, 2], {});
    await expect(p).rejects.toThrow(/cgAsync/);
  });
});

describe('onProgress', () => {
  it('is called after every iteration with iteration, residualNorm and x; false stops the solve', () => {
    const seen: number[] = [];
    const r = cg(poisson([10, 10]), sines(100), {
      rtol: 1e-12,
      onProgress: ({ iteration, residualNorm, x }) => {
        expect(x.length).toBe(100);
        expect(residualNorm).toBeGreaterThanOrEqual(0);
        seen.push(iteration);
        return iteration < 3;
      },
    });
    expect(r.reason).toBe('callback');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('a signal aborted from onProgress stops a sync solve', () => {
    const controller = new AbortController();
    const r = lsqr(poisson([10, 10]), sines(100), {
      signal: controller.signal,
      onProgress: ({ iteration }) => void (iteration === 2 && controller.abort()),
    });
    expect(r.reason).toBe('aborted');
    expect(r.iterations).toBe(2);
  });

  it('keeps callback as a deprecated alias, but not both at once', () => {
    const r = cg(poisson([10, 10]), sines(100), { callback: () => false });
    expect(r.reason).toBe('callback');
    expect(() => cg(poisson([3, 3]), sines(9), { callback: () => {}, onProgress: () => {} })).toThrow(
      InvalidArgumentError,
    );
  });
});
