import { type BenchCase, type BenchSuite, lineChart } from '@krylov/bench';
import { rng } from '@krylov/core-array';
import {
  type GradientTransformation,
  KFAC,
  LBFGS,
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

/** A run: the loss before each step, the wall time (ms) from the start to each loss, and the number of gradient evaluations. */
interface Run {
  losses: number[];
  times: number[];
  evals: number;
}
type Trainer = (problem: Problem) => Run | null;

function train(problem: Problem, make: () => GradientTransformation<unknown>): Run {
  const params = problem.init();
  const opt = new Optimizer(params, make, {} as never);
  const losses: number[] = [];
  const times: number[] = [];
  const start = performance.now();
  for (let t = 0; t < STEPS; t++) {
    const { loss, grads } = problem.lossAndGrad(params);
    losses.push(loss);
    times.push(performance.now() - start);
    if (!Number.isFinite(loss)) break;
    opt.step(grads);
  }
  return { losses, times, evals: losses.length };
}

/**
 * L-BFGS (strong-Wolfe line search, history 10): one iteration per step, so a step may evaluate
 * the gradient more than once (`evals` counts them all).
 */
function trainLbfgs(problem: Problem): Run {
  const params = problem.init();
  const opt = new LBFGS(params, { lineSearch: 'strong-wolfe', maxIter: 1, historySize: 10 });
  const losses: number[] = [];
  const times: number[] = [];
  let evals = 0;
  const closure = () => {
    evals++;
    return problem.lossAndGrad(params);
  };
  const start = performance.now();
  for (let t = 0; t < STEPS; t++) {
    const loss = opt.step(closure); // the loss at the start of the step
    losses.push(loss);
    times.push(performance.now() - start);
    if (!Number.isFinite(loss)) break;
  }
  return { losses, times, evals };
}

/**
 * K-FAC on the problems made of dense layers (true-Fisher statistics from labels sampled with a
 * fixed seed; factors every step, inverses every 10; lr 0.05, momentum 0.9, damping 1e-2).
 */
function trainKfac(problem: Problem): Run | null {
  if (!problem.kfac) return null;
  const params = problem.init();
  const r = rng(7);
  const opt = new KFAC(params, {
    layers: problem.kfac.layers,
    lr: 0.05,
    momentum: 0.9,
    damping: 1e-2,
    factorUpdateInterval: 1,
    inverseUpdateInterval: 10,
  });
  const losses: number[] = [];
  const times: number[] = [];
  const start = performance.now();
  for (let t = 0; t < STEPS; t++) {
    const { loss, grads } = problem.lossAndGrad(params);
    losses.push(loss);
    times.push(performance.now() - start);
    if (!Number.isFinite(loss)) break;
    opt.step(grads, problem.kfac.stats(params, r));
  }
  return { losses, times, evals: losses.length };
}

const TRAINERS: [string, Trainer][] = [
  ...OPTIMIZERS.map(([name, make]) => [name, (p: Problem) => train(p, make)] as [string, Trainer]),
  ['L-BFGS (strong Wolfe)', trainLbfgs],
  ['K-FAC', trainKfac],
];

const curves = new Map<string, number[]>();

export const suite: BenchSuite = {
  name: 'optimizers',
  description: `Training small problems with hand-written gradients, ${STEPS} steps from the same seeded start, one learning rate per optimizer for all problems.`,
  notes: [
    'steps = first step whose loss is below the target (absent when never reached); ms to target = wall time from the start of that run to that loss (one run; the time column is the median over runs of the whole 300 steps); final = loss after the last step; evals = gradient evaluations in the run (L-BFGS line searches take several per step); time = the whole run.',
    'K-FAC runs only on the problems made of dense layers (logistic regression, MLP).',
  ],
  cases() {
    const cases: BenchCase[] = [];
    for (const problem of [quadratic(), logistic(), matrixSensing(), mlp()]) {
      for (const [name, trainer] of TRAINERS) {
        if (name === 'K-FAC' && !problem.kfac) continue;
        cases.push({
          name: `${problem.name} (target ${problem.target})`,
          library: name,
          minRuns: 1,
          run: () => {
            const result = trainer(problem) as Run;
            curves.set(`${problem.name}|${name}`, result.losses);
            return result;
          },
          metrics: (_s, r) => {
            const { losses, times, evals } = r as Run;
            const hit = losses.findIndex((l) => l < problem.target);
            return {
              ...(hit >= 0 ? { steps: hit, 'ms to target': Number(times[hit].toFixed(1)) } : {}),
              final: losses[losses.length - 1],
              evals,
            };
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
        TRAINERS.filter(([name]) => curves.has(`${p}|${name}`)).map(([name]) => ({
          label: name,
          points: (curves.get(`${p}|${name}`) ?? []).map((l, t) => [t + 1, l] as [number, number]),
        })),
        { title: `Loss curves: ${p}`, xLabel: 'step', yLabel: 'loss', logY: true },
      ),
    }));
  },
};
