// The async forms of ormqr, trtrs, gelsd and syevr give their sync results bit for bit. The
// kernels' agreement with the pure-JS ones is the conformance suite's (conformance.test.ts).
import { type Mat, type Vec, rng, runKernelAsync, withBackends } from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import { DTYPES, built, logspace, on, relErr, symmetricWith } from './helpers.js';

describe.skipIf(!built)('native ormqr, trtrs, gelsd, syevr: async forms', () => {
  for (const dtype of DTYPES) {
    it(`async forms ${dtype}: ormqr, trtrs, gelsd, syevr give the sync results`, async () => {
      const n = 20;
      const a = rng(`async-${dtype}`).normal([n, n], { dtype }) as Mat;
      for (let i = 0; i < n; i++) a.set(5 + Math.abs(a.get(i, i)), i, i);
      const b = rng(`async-b-${dtype}`).normal([n, 3], { dtype }) as Mat;
      const run = <T>(f: () => Promise<T>) => withBackends(['native'], f);
      const x1 = b.copy() as Mat;
      const x2 = b.copy() as Mat;
      const args = { lower: true, transpose: true, unitDiag: false };
      expect(on('native', 'trtrs', { a, b: x1, ...args })).toBe(0);
      expect(await run(() => runKernelAsync('trtrs', { a, b: x2, ...args }))).toBe(0);
      expect(relErr(x2, x1)).toBe(0);
      const f = a.copy() as Mat;
      const { tau } = on('native', 'geqrf', { a: f });
      const c1 = b.copy() as Mat;
      const c2 = b.copy() as Mat;
      on('native', 'ormqr', { a: f, tau: tau as Vec, c: c1, side: 'left', transpose: true });
      await run(() =>
        runKernelAsync('ormqr', { a: f, tau: tau as Vec, c: c2, side: 'left', transpose: true }),
      );
      expect(relErr(c2, c1)).toBe(0);
      const g1 = on('native', 'gelsd', { a, b, rcond: -1 });
      const g2 = await run(() => runKernelAsync('gelsd', { a, b, rcond: -1 }));
      expect(relErr(g2.x, g1.x)).toBe(0);
      expect(g2.rank).toBe(g1.rank);
      const sym = symmetricWith(logspace(n, 100), 3, dtype) as Mat;
      const e1 = on('native', 'syevr', { a: sym, vectors: true, il: 3, iu: 9 });
      const e2 = await run(() => runKernelAsync('syevr', { a: sym, vectors: true, il: 3, iu: 9 }));
      expect(relErr(e2.w, e1.w)).toBe(0);
      expect(relErr(e2.v as Mat, e1.v as Mat)).toBe(0);
    });
  }
});
