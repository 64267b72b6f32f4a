// Prints the README's table: energy distance to the data against NFE for every sampler.
// Run: pnpm --filter krylov-example-diffusion-onnx table
import { dataStats, loadDenoiser } from './denoiser.js';
import { energyDistance, runSampler, twoMoons } from './quality.js';
import { ADAPTIVE, entries } from './samplers.js';

const NFES = [4, 8, 16, 32];
const BATCH = 2000;
const stats = dataStats();
const reference = twoMoons(BATCH, stats, 'reference');
const floor = energyDistance(twoMoons(BATCH, stats, 'floor'), reference);
const { model } = await loadDenoiser();

console.log(`| sampler | ${NFES.map((n) => `NFE ~${n}`).join(' | ')} |`);
console.log(`|---|${NFES.map(() => '---').join('|')}|`);
for (const e of entries()) {
  const cells: string[] = [];
  for (const nfe of NFES) {
    const steps = Math.max(1, Math.round(nfe / e.perStep));
    const r = await runSampler(model, e.sampler, e.schedule, e.spacing, steps, reference, BATCH);
    cells.push(`${r.energy.toExponential(1)} (${r.nfe})`);
  }
  console.log(`| \`${e.sampler.name}\` | ${cells.join(' | ')} |`);
}
const adaptive: string[] = [];
for (const rtol of ADAPTIVE.tolerances) {
  const r = await runSampler(
    model,
    ADAPTIVE.sampler({ rtol }),
    ADAPTIVE.schedule,
    'karras',
    2,
    reference,
    BATCH,
  );
  adaptive.push(`rtol ${rtol}: ${r.energy.toExponential(1)} (${r.nfe})`);
}
console.log(`| \`adaptive-sde\` | ${adaptive.join(' | ')} | |`);
console.log(`\nTwo independent data samples of ${BATCH}: ${floor.toExponential(1)} (the noise floor).`);
