import { NDArray } from '@krylov/core-array';
import { Optimizer, adamw } from '@krylov/optimizers';
import { timed } from './timed.js';
import type { DemoSection } from './types.js';

export const section: DemoSection = {
  package: '@krylov/optimizers',
  run() {
    // least squares ||A w - y||^2 / 2 on an ill-conditioned diagonal problem, AdamW from zero
    const n = 64;
    const scale = Float64Array.from({ length: n }, (_, i) => 10 ** (-2 + (3 * i) / (n - 1)));
    const target = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const w = new NDArray(new Float64Array(n), [n]);
    const opt = new Optimizer({ w }, adamw, { lr: 0.05, weightDecay: 0 });
    return [
      timed(
        'AdamW, 2000 steps, 64-dim quadratic (condition 1e6)',
        () => {
          for (let step = 0; step < 2000; step++) {
            const g = Float64Array.from(w.data, (v, i) => scale[i] * (scale[i] * v - scale[i] * target[i]));
            opt.step({ w: new NDArray(g, [n]) });
          }
        },
        () => {
          let err = 0;
          for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(w.data[i] - target[i]));
          return `max |w - w*| ${err.toExponential(1)}`;
        },
      ),
    ];
  },
};
