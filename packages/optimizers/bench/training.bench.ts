import { type BenchCase, type BenchSuite, lineChart } from '@krylov/bench';
import {
  type GradientTransformation,
  Optimizer,
  adafactor,
  adagrad,
  adam,
  adamw,
  chain,
  galore,
  lion,
  muon,
  rmsprop,
  scaleByLearningRate,
  scaleByShampoo,
  scaleBySoap,
  sgd,
} from '../src/index.js';
import { type Problem, logistic, matrixSensing, mlp, quadratic } from './problems.js';

const STEPS = 300;

/** Each optimizer with one learning rate for all problems (a fair, untuned comparison). */
const OPTIMIZERS: [string, () => GradientTransformation<unknown>][] = [
  ['SGD momentum', () => sgd({ lr: 0.05, momentum: 0.9 })],
  ['Adam', () => adam({ lr: 0.02 })],
  ['AdamW', () => adamw({ lr: 0.02, weightDecay: 1e-4 })],
  ['Adagrad', () => adagrad({ lr: 0.1 })],
  ['RMSprop', () => rmsprop({ lr: 0.005 })],
  ['Adafactor', () => adafactor({ lr: 0.05 })],
  ['Lion', () => lion({ lr: 0.003 })],
  ['Muon', () => muon({ lr: 0.02, adamw: { lr: 0.02 } })],
  ['Shampoo', () => chain(scaleByShampoo({ precondFrequency: 5 }), scaleByLearningRate(0.02))],
  ['SOAP', () => chain(scaleBySoap({ b1: 0.9, b2: 0.99, precondFrequency: 5 }), scaleByLearningRate(0.02))],
  ['GaLore (Adam, rank 2)', () => galore(adam({ lr: 0.02 }), { rank: 2, updateGap: 50, scale: 1 })],
];

const curves = new Map<string, number[]>();

function train(problem: Problem, make: () => GradientTransformation<unknown>): number[] {
  const params = problem.init();
  const opt = new Optimizer(params, make, {} as never);
  const losses: number[] = [];
  for (let t = 0; t < STEPS; t++) {
    const { loss, grads } = problem.lossAndGrad(params);
    losses.push(loss);
    if (!Number.isFinite(loss)) break;
    opt.step(grads);
  }
  return losses;
}

export const suite: BenchSuite = {
  name: 'optimizers',
  description: `Training small problems with hand-written gradients, ${STEPS} steps from the same seeded start, one learning rate per optimizer for all problems.`,
  notes: [
    'steps = first step whose loss is below the target (absent when never reached); final = loss after the last step; time = the whole run.',
  ],
  cases() {
    const cases: BenchCase[] = [];
    for (const problem of [quadratic(), logistic(), matrixSensing(), mlp()]) {
      for (const [name, make] of OPTIMIZERS) {
        cases.push({
          name: `${problem.name} (target ${problem.target})`,
          library: name,
          minRuns: 1,
          run: () => {
            const losses = train(problem, make);
            curves.set(`${problem.name}|${name}`, losses);
            return losses;
          },
          metrics: (_s, r) => {
            const losses = r as number[];
            const hit = losses.findIndex((l) => l < problem.target);
            return { ...(hit >= 0 ? { steps: hit } : {}), final: losses[losses.length - 1] };
          },
        });
      }
    }
    return cases;
  },
  artifacts() {
    const problems = [...new Set([...curves.keys()].map((k) => k.split('|')[0]))];
    return problems.map((p, i) => ({
      file: `optimizers-${i + 1}.svg`,
      content: lineChart(
        OPTIMIZERS.map(([name]) => ({
          label: name,
          points: (curves.get(`${p}|${name}`) ?? []).map((l, t) => [t + 1, l] as [number, number]),
        })),
        { title: `Loss curves: ${p}`, xLabel: 'step', yLabel: 'loss', logY: true },
      ),
    }));
  },
};
