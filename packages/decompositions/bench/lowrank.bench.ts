import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase, BenchSuite, ExternalTiming } from '@krylov/bench';
import { type CsrOperand, type NDArray, matmul, rng } from '@krylov/core-array';
import { type NmfOptions, type ThinSvd, nmf, svd, svdAppendColumns } from '../src/index.js';

const [M, N, K] = [400, 300, 10];
const [SM, SN, DENSITY] = [2000, 1000, 0.01];
const [TM, TN] = [1000, 300];
const SVD_NAME = `truncated SVD rank ${K}, ${TM}x${TN}`;
const [UM, UN] = [200, 1000];
const UPDATE_NAME = `rank-${K} SVD of ${UM}x${UN} + 1 column`;

/** A rank-K signal plus 5% noise, UM x (UN + 1); the SVD of its first UN columns, truncated to K. */
function updateInput(): { a: NDArray<'float64'>; f: ThinSvd; col: NDArray<'float64'> } {
  const g = rng(4);
  const a = matmul(g.normal([UM, K]), g.normal([K, UN + 1])) as NDArray<'float64'>;
  for (let i = 0; i < a.size; i++) a.data[i] += 0.05 * g.nextNormal();
  const head = a.slice(null, `0:${UN}`).copy() as NDArray<'float64'>;
  const { u, s, vt } = svd(head);
  const f = {
    u: u.slice(null, `0:${K}`).copy() as NDArray<'float64'>,
    s: s.slice(`0:${K}`).copy() as NDArray<'float64'>,
    v: vt.slice(`0:${K}`).T.copy() as NDArray<'float64'>,
  };
  return { a, f, col: a.slice(null, `${UN}:${UN + 1}`).copy() as NDArray<'float64'> };
}

/** ||A - U S V^T||_F */
function residual(a: NDArray<'float64'>, f: { u: NDArray; s: NDArray; v: NDArray }): number {
  const [m, n] = a.shape;
  const k = f.s.size;
  const us = f.u.copy();
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.data[i * k + j] *= f.s.data[j];
  const low = matmul(us, f.v.T);
  let e = 0;
  for (let p = 0; p < m * n; p++) e += (a.data[p] - low.data[p]) ** 2;
  return Math.sqrt(e);
}

/** Non-negative rank-K signal plus 10% uniform noise. */
function denseInput(): NDArray<'float64'> {
  const g = rng(1);
  const x = matmul(g.uniform([M, K]), g.uniform([K, N])) as NDArray<'float64'>;
  for (let i = 0; i < x.size; i++) x.data[i] += 0.1 * g.nextFloat64();
  return x;
}

/** Random CSR with entries in [1, 5) at DENSITY (scipy.sparse.random's pattern, our generator). */
function sparseInput(): CsrOperand {
  const g = rng(2);
  const indptr = [0];
  const indices: number[] = [];
  const data: number[] = [];
  for (let i = 0; i < SM; i++) {
    for (let j = 0; j < SN; j++)
      if (g.nextFloat64() < DENSITY) {
        indices.push(j);
        data.push(1 + 4 * g.nextFloat64());
      }
    indptr.push(indices.length);
  }
  return {
    shape: [SM, SN],
    indptr: Int32Array.from(indptr),
    indices: Int32Array.from(indices),
    data: Float64Array.from(data),
  };
}

/** U diag(s) V^T with s_i = 1 / (i + 1): a slowly decaying spectrum. */
function svdInput(): { a: NDArray<'float64'>; s: Float64Array } {
  const g = rng(3);
  const s = Float64Array.from({ length: TN }, (_, i) => 1 / (i + 1));
  const u = svd(g.normal([TM, TN])).u as NDArray<'float64'>;
  const v = svd(g.normal([TN, TN])).u as NDArray<'float64'>;
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN; j++) u.data[i * TN + j] *= s[j];
  return { a: matmul(u, v.T) as NDArray<'float64'>, s };
}

const NMF_CASES: [string, 'dense' | 'sparse', NmfOptions, Record<string, unknown>][] = [
  [`NMF cd (nndsvda) ${M}x${N} k=${K}`, 'dense', {}, { init: 'nndsvda', solver: 'cd' }],
  [
    `NMF mu frobenius (nndsvda) ${M}x${N} k=${K}`,
    'dense',
    { solver: 'mu' },
    { init: 'nndsvda', solver: 'mu' },
  ],
  [
    `NMF mu kullback-leibler (nndsvda) ${M}x${N} k=${K}`,
    'dense',
    { solver: 'mu', betaLoss: 'kullback-leibler' },
    { init: 'nndsvda', solver: 'mu', beta_loss: 'kullback-leibler' },
  ],
  [
    `NMF cd (nndsvd) sparse ${SM}x${SN} 1% k=${K}`,
    'sparse',
    { init: 'nndsvd' },
    { init: 'nndsvd', solver: 'cd' },
  ],
  [
    `NMF mu kullback-leibler (nndsvda) sparse ${SM}x${SN} 1% k=${K}`,
    'sparse',
    { solver: 'mu', betaLoss: 'kullback-leibler' },
    { init: 'nndsvda', solver: 'mu', beta_loss: 'kullback-leibler' },
  ],
];

/** A python3 that imports scikit-learn: $KRYLOV_PYTHON, then python3 on PATH, then /usr/bin/python3. */
function python(): string | null {
  for (const cmd of [process.env.KRYLOV_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!cmd) continue;
    try {
      execFileSync(cmd, ['-c', 'import sklearn'], { stdio: 'ignore' });
      return cmd;
    } catch {}
  }
  return null;
}

function external(x: NDArray<'float64'>, s: CsrOperand, t: { a: NDArray<'float64'>; s: Float64Array }) {
  const py = python();
  if (!py) return { data: null, reason: 'no python3 with scikit-learn (set KRYLOV_PYTHON)' };
  const dir = mkdtempSync(join(tmpdir(), 'krylov-lowrank-'));
  try {
    const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    writeFileSync(join(dir, 'dense.bin'), bytes(x.data));
    writeFileSync(join(dir, 'indptr.bin'), bytes(s.indptr));
    writeFileSync(join(dir, 'indices.bin'), bytes(s.indices));
    writeFileSync(join(dir, 'data.bin'), bytes(s.data));
    writeFileSync(join(dir, 'svd.bin'), bytes(t.a.data));
    const meta = {
      dense: [M, N],
      sparse: [SM, SN],
      svd: [TM, TN],
      k: K,
      svdName: SVD_NAME,
      sigma_k: t.s[K - 1],
      nmf: NMF_CASES.map(([name, which, , kw]) => [name, which, kw]),
    };
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
    const script = fileURLToPath(new URL('./sklearn_lowrank.py', import.meta.url));
    const text = execFileSync(py, [script, dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
    return { data: JSON.parse(text) as Record<string, ExternalTiming>, reason: '' };
  } catch (e) {
    return { data: null, reason: `scikit-learn worker failed: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const suite: BenchSuite = {
  name: 'lowrank',
  description: `NMF (CD and MU, dense ${M}x${N} and sparse ${SM}x${SN} at 1%, k = ${K}) and a rank-${K} truncated SVD, against scikit-learn 1.2 on the same matrices`,
  notes: [
    'scikit-learn runs in a python3 that has it ($KRYLOV_PYTHON, else python3 on PATH, else /usr/bin/python3) in the same run, on the very matrices built here (written to a temporary directory as raw float64/int32).',
    'NMF: both sides use scikit-learn\'s defaults (tol 1e-4, max_iter 200, the same stopping rules); "error" is reconstruction_err_ = sqrt(2 D_beta(X | W H)). NNDSVD uses a randomized SVD on both sides (different generators), so iteration counts can differ by a few.',
    `SVD updating: one column appended to a rank-${K} SVD (Zha-Simon) against recomputing the SVD of the whole ${UM}x${UN + 1} matrix; "error / recomputed" is ||A - U S V^T||_F over the recomputed truncated SVD's (1 is optimal).`,
    `Truncated SVD: krylov's exact svd (one-sided bidiagonal QR, then the top ${K} kept) against TruncatedSVD (randomized, n_iter=5; arpack). "sigma_k rel. error" is |s_k - sigma_k| / sigma_k against the planted spectrum 1/i. Krylov's randomizedSvd (@krylov/sketching) is compared with scikit-learn in \`pnpm bench sketching\`; it cannot be imported here because @krylov/sketching depends on this package (a devDependency would make a workspace cycle).`,
  ],
  cases: () => {
    const x = denseInput();
    const s = sparseInput();
    const t = svdInput();
    const py = external(x, s, t);
    const ext = (name: string): BenchCase => ({
      name,
      library: 'scikit-learn',
      ...(py.data?.[name] ? { external: () => py.data![name] } : { skip: py.reason || 'no result' }),
    });
    const cases: BenchCase[] = [];
    for (const [name, which, options] of NMF_CASES) {
      cases.push({
        name,
        library: 'krylov nmf',
        minRuns: 1,
        run: () => nmf(which === 'dense' ? x : s, { nComponents: K, ...options }),
        metrics: (_s, r) => {
          const res = r as ReturnType<typeof nmf>;
          return { error: res.reconstructionError, iterations: res.iterations };
        },
      });
      cases.push(ext(name));
    }
    cases.push({
      name: SVD_NAME,
      library: 'krylov svd (exact, truncated)',
      minRuns: 1,
      run: () => svd(t.a),
      metrics: (_s, r) => {
        const sk = (r as { s: NDArray }).s.data[K - 1];
        return { 'sigma_k rel. error': Math.abs(sk - t.s[K - 1]) / t.s[K - 1] };
      },
    });
    for (const algorithm of ['randomized', 'arpack']) {
      const c = ext(`${SVD_NAME} (${algorithm})`);
      cases.push({ ...c, name: SVD_NAME, library: `scikit-learn TruncatedSVD ${algorithm}` });
    }
    let up: ReturnType<typeof updateInput> | null = null;
    const upd = () => {
      up ??= updateInput();
      return up;
    };
    let best = 0;
    const bestError = () => {
      if (best) return best;
      const { u, s: sv, vt } = svd(upd().a);
      best = residual(upd().a, {
        u: u.slice(null, `0:${K}`),
        s: sv.slice(`0:${K}`),
        v: vt.slice(`0:${K}`).T,
      });
      return best;
    };
    cases.push({
      name: UPDATE_NAME,
      library: 'krylov svdAppendColumns (Zha-Simon)',
      setup: upd,
      run: (st) => {
        const p = st as ReturnType<typeof updateInput>;
        return svdAppendColumns(p.f, p.col);
      },
      metrics: (st, r) => ({
        'error / recomputed': residual((st as ReturnType<typeof updateInput>).a, r as ThinSvd) / bestError(),
      }),
    });
    cases.push({
      name: UPDATE_NAME,
      library: 'krylov svd (recomputed, truncated)',
      minRuns: 1,
      setup: upd,
      run: (st) => svd((st as ReturnType<typeof updateInput>).a),
      metrics: () => ({ 'error / recomputed': 1 }),
    });
    return cases;
  },
};
