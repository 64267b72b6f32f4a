import { NDArray } from '@krylov/core-array';
import { dpmSolverPP, dpmSolverV3, edm, euler, initialNoise, unipc } from '@krylov/diffusion-samplers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type OnnxDenoiser, dataStats, loadDenoiser, storedEms } from '../src/denoiser.js';
import { energyDistance, runSampler, twoMoons } from '../src/quality.js';

// The trained ONNX denoiser run by onnxruntime-web (wasm, in Node) through the samplers' async,
// batched float32 model interface. Energy distances to fresh data, 1000 samples each; two data
// samples of this size are ~1e-3 apart (the noise floor); a Gaussian with the data's mean and
// covariance is ~0.022 away, so every bound below asks for more than the data's first two moments.
const BATCH = 1000;
const stats = dataStats();
const reference = twoMoons(BATCH, stats, 'reference');
const schedule = edm({ sigmaMin: 0.002, sigmaMax: 80 });
let net: OnnxDenoiser;

beforeAll(async () => {
  net = await loadDenoiser();
});

describe('the ONNX denoiser through onnxruntime-web', () => {
  it('reproduces the PyTorch outputs recorded at export (float32, to 1e-5)', async () => {
    const { x, sigma, x0 } = stats.probe;
    for (let i = 0; i < x.length; i++) {
      const out = await net.model.predict(new NDArray(Float32Array.from(x[i]), [1, 2]), {
        t: sigma[i],
        alpha: 1,
        sigma: sigma[i],
      });
      for (let j = 0; j < 2; j++) expect(Math.abs(out.data[j] - x0[i][j])).toBeLessThan(1e-5);
    }
  });

  it('the data noise floor: two data samples are within 3e-3; a moment-matched Gaussian is not', () => {
    expect(energyDistance(twoMoons(BATCH, stats, 'other'), reference)).toBeLessThan(3e-3);
    // N(0, 0.5^2 I) has the data's mean and covariance but not its shape: ~0.022 away
    const noise = initialNoise(schedule, [BATCH, 2], 5, { t: 0.5 });
    expect(energyDistance(noise, reference)).toBeGreaterThan(0.015);
  });

  for (const [sampler, bound] of [
    [euler(), 0.015],
    [dpmSolverPP({ order: 2 }), 0.01],
    [unipc({ order: 2 }), 0.01],
    // with the statistics stored in model/ems.json (computed from this model by src/compute-ems.ts)
    [dpmSolverV3({ ems: storedEms() }), 0.01],
  ] as const) {
    it(`${sampler.name}: energy distance decreases over NFE 4, 8, 16 and ends below ${bound}`, async () => {
      const energies: number[] = [];
      const calls = net.calls;
      let nfe = 0;
      for (const n of [4, 8, 16]) {
        const r = await runSampler(net.model, sampler, schedule, 'karras', n, reference, BATCH);
        expect(r.samples.dtype).toBe('float32');
        energies.push(r.energy);
        nfe += r.nfe;
      }
      // every evaluation was one batched call of the session
      expect(net.calls - calls).toBe(nfe);
      const msg = energies.map((e) => e.toExponential(2)).join(', ');
      expect(energies[1], msg).toBeLessThan(energies[0]);
      expect(energies[2], msg).toBeLessThan(energies[1]);
      expect(energies[2], msg).toBeLessThan(bound);
    });
  }
});
