// Computes DPM-Solver-v3's empirical model statistics from the ONNX denoiser once and stores them
// in model/ems.json (reused by the table and the test). Run: pnpm --filter krylov-example-diffusion-onnx ems
import { writeFileSync } from 'node:fs';
import { computeEms, initialNoise } from '@krylov/diffusion-samplers';
import { EMS_PATH, loadDenoiser } from './denoiser.js';
import { SCHEDULE } from './samplers.js';

const { model } = await loadDenoiser();
const ems = await computeEms(model, SCHEDULE, initialNoise(SCHEDULE, [2000, 2], 'ems'), { points: 100 });
const round = (t: number[][]) => t.map((r) => r.map((v) => Number(v.toPrecision(8))));
writeFileSync(EMS_PATH, `${JSON.stringify({ ...ems, l: round(ems.l), s: round(ems.s), b: round(ems.b) })}\n`);
console.log(`wrote ${EMS_PATH}`);
