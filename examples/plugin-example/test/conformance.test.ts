import { type ConformanceCase, DECLINED, casesFor, runConformance } from '@krylov/conformance';
// The kernel conformance suite (@krylov/conformance) on this plugin's backend, plus a case for the
// kernel it adds by module augmentation: what a third-party plugin's test file looks like.
import { type Mat, NDArray, use } from '@krylov/core-array';
import { afterAll, describe, it } from 'vitest';
import { plugin } from '../src/index.js';

use(plugin);

// trace is not in the catalogue, so it has no pure-JS reference: its case knows the answer
const traceCases: ConformanceCase[] = casesFor('trace', ['float64'], () => [
  {
    name: 'the trace of 3 I (n = 0, 1, 5) and of a strided view',
    run: async (t) => {
      for (const n of [0, 1, 5]) {
        const a = new NDArray(new Float64Array(n * n), [n, n]) as Mat;
        for (let i = 0; i < n; i++) a.set(3, i, i);
        const got = await t.run('trace', { a });
        if (got !== DECLINED) t.eq(`n=${n}`, got, 3 * n);
      }
      const big = new NDArray(
        Float64Array.from({ length: 36 }, (_, i) => i),
        [6, 6],
      );
      const got = await t.run('trace', { a: big.slice('::2', '::-2') as Mat });
      if (got !== DECLINED) t.eq('strided', got, 5 + 15 + 25);
    },
  },
]);

runConformance({ backend: 'example', describe, it, afterAll, cases: traceCases });
