import {
  type Check,
  type KernelImpl,
  type KernelName,
  type KernelTable,
  type Mat,
  type NDArray,
  type Vec,
  firstFailure,
  floatOperands,
  gemmBatchedOperands,
  gemmOperands,
  gemvOperands,
  mayShareMemory,
  shapeMismatch,
  shapeText,
  spmvOperands,
  syrkOperands,
  trsmOperands,
  trsvOperands,
} from '@krylov/core-array';
import type { FloatData, MatDesc, NativeAddon } from './addon.js';
import { checkExtents, typedNativeError } from './errors.js';
import { Operands, alloc, denseMat, denseVec, wrap } from './layout.js';
import { threadApplier } from './threads.js';
import { NATIVE_THRESHOLDS as T, below, gemmBelow } from './thresholds.js';

const sq = (a: NDArray) => a.shape[0] === a.shape[1];

/** A unit-stride float64 vector's elements as a Float64Array (a subarray: no copy). */
const unitVec = (v: Vec): Float64Array => (v.data as Float64Array).subarray(v.offset, v.offset + v.size);

/** Runs `fn` on prepared operands, then writes copied outputs back. */
function withOperands<R>(outputs: readonly NDArray[], fn: (ops: Operands) => R): R {
  const ops = new Operands(outputs);
  const r = fn(ops);
  ops.finish();
  return r;
}

async function withOperandsAsync<R>(
  outputs: readonly NDArray[],
  fn: (ops: Operands) => Promise<R>,
): Promise<R> {
  const ops = new Operands(outputs);
  const r = await fn(ops);
  ops.finish();
  return r;
}

type SvdJob = 'values' | 'thin' | 'full';

/** Output storage for gesdd: s, and u / vt for the vector jobs. */
function svdOutputs(a: Mat, job: SvdJob) {
  const [m, n] = a.shape;
  const k = Math.min(m, n);
  const data = a.data as FloatData;
  const s = alloc({ data }, k);
  if (job === 'values') return { s, u: null, vt: null, uDesc: null, vtDesc: null };
  const [ur, uc, vr, vc] = job === 'full' ? [m, m, n, n] : [m, k, k, n];
  const u = alloc({ data }, ur * uc);
  const vt = alloc({ data }, vr * vc);
  return {
    s,
    u: wrap(u, [ur, uc]) as Mat,
    vt: wrap(vt, [vr, vc]) as Mat,
    uDesc: denseMat(u, ur, uc) as MatDesc | null,
    vtDesc: denseMat(vt, vr, vc) as MatDesc | null,
  };
}

/** Output storage for syevr: iu - il + 1 values, and n x that many vectors. */
function rangeOutputs(a: Mat, vectors: boolean, il: number, iu: number) {
  const n = a.shape[0];
  const count = Math.max(0, iu - il + 1);
  const data = a.data as FloatData;
  const w = alloc({ data }, count);
  const v = vectors ? alloc({ data }, n * count) : null;
  const result = (info: number) => ({
    w: wrap(w, [count]) as Vec,
    v: v ? (wrap(v, [n, count]) as Mat) : null,
    info,
  });
  return { w: denseVec(w), vDesc: v ? denseMat(v, n, count) : null, result };
}

/** Output storage for gelsd: x (n x nrhs), s (min(m, n)) and the rank. */
function lstsqOutputs(a: Mat, b: Mat) {
  const [m, n] = a.shape;
  const nrhs = b.shape[1];
  const data = a.data as FloatData;
  const x = alloc({ data }, n * nrhs);
  const s = alloc({ data }, Math.min(m, n));
  const rank = new Int32Array(1);
  const result = (info: number) => ({
    x: wrap(x, [n, nrhs]) as Mat,
    s: wrap(s, [s.length]) as Vec,
    rank: rank[0],
    info,
  });
  return { x: denseMat(x, n, nrhs), s: denseVec(s), rank, result };
}

function eighOutputs(a: Mat, vectors: boolean) {
  const n = a.shape[0];
  const data = a.data as FloatData;
  const w = alloc({ data }, n);
  const v = vectors ? alloc({ data }, n * n) : null;
  return { w, v, vDesc: v ? denseMat(v, n, n) : null };
}

/**
 * The native kernel table. `addon` returns the loaded addon (or throws why not); the table exists
 * even when the addon is not built, so `explain` reports the backend as unavailable, with the
 * reason, rather than as lacking the kernel.
 */
export function nativeKernels(addon: () => NativeAddon): KernelTable {
  return guardKernels(rawKernels(addon), addon);
}

/**
 * Every kernel of `table` behind one guard: operand extents checked against the addon's limit
 * before any copy, the OpenBLAS thread count of the call requested by the thread policy
 * (threads.ts; `explain` shows it through `note`), and the addon's coded errors turned into typed
 * ones naming the kernel (errors.ts). The addon itself validates every descriptor again.
 */
function guardKernels(table: KernelTable, addon: () => NativeAddon): KernelTable {
  let maxExtent: number | undefined;
  const limit = () => {
    maxExtent ??= addon().info().maxExtent ?? 2 ** 31 - 1;
    return maxExtent;
  };
  const threads = threadApplier(addon);
  const out: Record<string, unknown> = {};
  for (const [name, impl] of Object.entries(table) as [string, KernelImpl<KernelName>][]) {
    const guarded: KernelImpl<KernelName> = { ...impl, note: (args) => threads.note(name, args) };
    const run = impl.run;
    const runAsync = impl.runAsync;
    if (run)
      guarded.run = (args) => {
        checkExtents(name, args, limit());
        threads.apply(name, args);
        try {
          return run(args);
        } catch (e) {
          throw typedNativeError(name, e);
        }
      };
    if (runAsync)
      guarded.runAsync = async (args) => {
        checkExtents(name, args, limit());
        // the count is read by the addon when the call is made and applied on its worker thread
        threads.apply(name, args);
        try {
          return await runAsync(args);
        } catch (e) {
          throw typedNativeError(name, e);
        }
      };
    out[name] = guarded;
  }
  return out as KernelTable;
}

function rawKernels(addon: () => NativeAddon): KernelTable {
  return {
    // The CSR matrix-vector product (core-array's catalogue; the pure-JS reference is @krylov/solvers').
    // The addon takes float64 arrays with unit stride, passed as subarrays (no copy); the C++ side
    // validates the CSR structure and the lengths again.
    spmv: {
      run: ({ a, x, y, alpha, beta, transpose }) =>
        addon().spmv(
          a.indptr,
          a.indices,
          a.data as Float64Array,
          a.shape[0],
          a.shape[1],
          unitVec(x),
          unitVec(y),
          alpha,
          beta,
          transpose,
        ),
      supports: (args) =>
        firstFailure(
          () => spmvOperands(args),
          () => args.x.dtype !== 'float64' && 'float64 only',
          () => (args.x.strides[0] !== 1 || args.y.strides[0] !== 1) && 'unit-stride vectors only',
          () => mayShareMemory(args.x, args.y) && 'x and y share memory',
        ),
    },
    dot: {
      run: ({ x, y }) => withOperands([], (o) => addon().dot(o.inVec(x), o.inVec(y))),
      supports: ({ x, y }) =>
        firstFailure(
          () => floatOperands({ x: [x, 1], y: [y, 1] }),
          () => shapeMismatch(x.size === y.size, `${shapeText(x)} and ${shapeText(y)}`),
          () => below('dot', 'n', x.size, T.level1),
        ),
    },
    nrm2: {
      run: ({ x }) => withOperands([], (o) => addon().nrm2(o.inVec(x))),
      supports: ({ x }) =>
        firstFailure(
          () => floatOperands({ x: [x, 1] }),
          () => below('nrm2', 'n', x.size, T.level1),
        ),
    },
    axpy: {
      run: ({ alpha, x, y }) => withOperands([y], (o) => addon().axpy(alpha, o.inVec(x), o.outVec(y))),
      supports: ({ x, y }) =>
        firstFailure(
          () => floatOperands({ x: [x, 1], y: [y, 1] }),
          () => shapeMismatch(x.size === y.size, `${shapeText(x)} and ${shapeText(y)}`),
          () => below('axpy', 'n', x.size, T.level1),
        ),
    },
    scal: {
      run: ({ alpha, x }) => withOperands([x], (o) => addon().scal(alpha, o.outVec(x))),
      supports: ({ x }) =>
        firstFailure(
          () => floatOperands({ x: [x, 1] }),
          () => below('scal', 'n', x.size, T.level1),
        ),
    },
    gemv: {
      run: ({ alpha, a, x, beta, y }) =>
        withOperands([y], (o) => addon().gemv(alpha, o.in(a), o.inVec(x), beta, o.outVec(y))),
      supports: (args) =>
        gemvOperands(args) || below('gemv', 'm*n', args.a.shape[0] * args.a.shape[1], T.level1) || true,
    },
    ger: {
      run: ({ alpha, x, y, a }) =>
        withOperands([a], (o) => addon().ger(alpha, o.inVec(x), o.inVec(y), o.out(a))),
      supports: ({ a, x, y }) =>
        firstFailure(
          () => floatOperands({ a: [a, 2], x: [x, 1], y: [y, 1] }),
          () =>
            shapeMismatch(
              a.shape[0] === x.size && a.shape[1] === y.size,
              `a ${shapeText(a)}, x ${shapeText(x)}, y ${shapeText(y)}`,
            ),
        ),
    },
    trmv: {
      run: ({ a, x, lower, unitDiag }) =>
        withOperands([x], (o) => addon().trmv(o.in(a), o.outVec(x), lower, unitDiag)),
      supports: (args) => firstFailure(() => trsvOperands(args)),
    },
    trsv: {
      run: ({ a, x, lower, unitDiag }) =>
        withOperands([x], (o) => addon().trsv(o.in(a), o.outVec(x), lower, unitDiag)),
      supports: (args) => firstFailure(() => trsvOperands(args)),
    },
    gemm: {
      run: ({ alpha, a, b, beta, c }) =>
        withOperands([c], (o) => addon().gemm(alpha, o.in(a), o.in(b), beta, o.out(c))),
      runAsync: ({ alpha, a, b, beta, c }) =>
        withOperandsAsync([c], (o) => addon().gemmAsync(alpha, o.in(a), o.in(b), beta, o.out(c))),
      supports: (args) =>
        gemmOperands(args) ||
        gemmBelow(args.a.shape[0], args.b.shape[1], args.a.shape[1], args.c.dtype) ||
        true,
    },
    gemmBatched: {
      run: ({ alpha, a, b, beta, c }) =>
        withOperands([c], (o) => addon().gemmBatched(alpha, o.inBatch(a), o.inBatch(b), beta, o.outBatch(c))),
      runAsync: ({ alpha, a, b, beta, c }) =>
        withOperandsAsync([c], (o) =>
          addon().gemmBatchedAsync(alpha, o.inBatch(a), o.inBatch(b), beta, o.outBatch(c)),
        ),
      supports: (args) => gemmBatchedOperands(args) || true,
    },
    syrk: {
      run: ({ alpha, a, beta, c, lower }) =>
        withOperands([c], (o) => addon().syrk(alpha, o.in(a), beta, o.out(c), lower)),
      supports: (args) => firstFailure(() => syrkOperands(args)),
    },
    trmm: {
      run: ({ side, lower, unitDiag, alpha, a, b }) =>
        withOperands([b], (o) => addon().trmm(side === 'left', lower, unitDiag, alpha, o.in(a), o.out(b))),
      supports: (args) => firstFailure(() => trsmOperands(args)),
    },
    trsm: {
      run: ({ side, lower, unitDiag, alpha, a, b }) =>
        withOperands([b], (o) => addon().trsm(side === 'left', lower, unitDiag, alpha, o.in(a), o.out(b))),
      supports: (args) => firstFailure(() => trsmOperands(args)),
    },
    potrf: {
      run: ({ a }) => withOperands([a], (o) => addon().potrf(o.out(a))),
      runAsync: ({ a }) => withOperandsAsync([a], (o) => addon().potrfAsync(o.out(a))),
      supports: ({ a }) => squareMat(a),
    },
    potrs: {
      run: ({ l, b }) => withOperands([b], (o) => addon().potrs(o.in(l), o.out(b))),
      supports: ({ l, b }) =>
        firstFailure(
          () => floatOperands({ l: [l, 2], b: [b, 2] }),
          () => shapeMismatch(sq(l) && b.shape[0] === l.shape[0], `l ${shapeText(l)}, b ${shapeText(b)}`),
        ),
    },
    getrf: {
      run: ({ a }) => {
        const ipiv = new Int32Array(Math.min(a.shape[0], a.shape[1]));
        const info = withOperands([a], (o) => addon().getrf(o.out(a), ipiv));
        return { ipiv, info };
      },
      runAsync: async ({ a }) => {
        const ipiv = new Int32Array(Math.min(a.shape[0], a.shape[1]));
        const info = await withOperandsAsync([a], (o) => addon().getrfAsync(o.out(a), ipiv));
        return { ipiv, info };
      },
      supports: ({ a }) =>
        firstFailure(
          () => floatOperands({ a: [a, 2] }),
          () => below('getrf', 'n', a.shape[0], T.lu),
        ),
    },
    getrs: {
      run: ({ lu, ipiv, b, transpose }) =>
        withOperands([b], (o) => addon().getrs(o.in(lu), ipiv, o.out(b), transpose)),
      supports: ({ lu, ipiv, b }) =>
        firstFailure(
          () => floatOperands({ lu: [lu, 2], b: [b, 2] }),
          () =>
            shapeMismatch(
              sq(lu) && b.shape[0] === lu.shape[0] && ipiv.length === lu.shape[0],
              `lu ${shapeText(lu)}, ipiv length ${ipiv.length}, b ${shapeText(b)}`,
            ),
        ),
    },
    gesv: {
      run: ({ a, b }) => withOperands([a, b], (o) => addon().gesv(o.out(a), o.out(b))),
      runAsync: ({ a, b }) => withOperandsAsync([a, b], (o) => addon().gesvAsync(o.out(a), o.out(b))),
      supports: ({ a, b }) =>
        firstFailure(
          () => floatOperands({ a: [a, 2], b: [b, 2] }),
          () => shapeMismatch(sq(a) && b.shape[0] === a.shape[0], `a ${shapeText(a)}, b ${shapeText(b)}`),
          () => below('gesv', 'n', a.shape[0], T.lu),
        ),
    },
    geqrf: {
      run: ({ a }) => {
        const tau = alloc(a as { data: FloatData }, Math.min(a.shape[0], a.shape[1]));
        withOperands([a], (o) => addon().geqrf(o.out(a), denseVec(tau)));
        return { tau: wrap(tau, [tau.length]) as Vec };
      },
      supports: ({ a }) =>
        firstFailure(
          () => floatOperands({ a: [a, 2] }),
          () => below('geqrf', 'min(m, n)', Math.min(a.shape[0], a.shape[1]), T.qr),
        ),
    },
    orgqr: {
      run: ({ a, tau }) => withOperands([a], (o) => addon().orgqr(o.out(a), o.inDenseVec(tau))),
      supports: ({ a, tau }) =>
        firstFailure(
          () => floatOperands({ a: [a, 2], tau: [tau, 1] }),
          () =>
            shapeMismatch(
              a.shape[0] >= a.shape[1] && a.shape[1] >= tau.size,
              `a ${shapeText(a)} (rows >= cols >= tau length ${tau.size})`,
            ),
          () => below('orgqr', 'n', a.shape[1], T.qr),
        ),
    },
    ormqr: {
      run: ({ a, tau, c, side, transpose }) =>
        withOperands([c], (o) =>
          addon().ormqr(o.in(a), o.inDenseVec(tau), o.out(c), side === 'left', transpose),
        ),
      runAsync: ({ a, tau, c, side, transpose }) =>
        withOperandsAsync([c], (o) =>
          addon().ormqrAsync(o.in(a), o.inDenseVec(tau), o.out(c), side === 'left', transpose),
        ),
      supports: ({ a, tau, c, side }) =>
        firstFailure(
          () => floatOperands({ a: [a, 2], tau: [tau, 1], c: [c, 2] }),
          () => !['left', 'right'].includes(side) && `unknown side ${JSON.stringify(side)}`,
          () =>
            shapeMismatch(
              a.shape[0] === c.shape[side === 'left' ? 0 : 1] &&
                tau.size <= a.shape[1] &&
                tau.size <= a.shape[0],
              `a ${shapeText(a)}, tau ${shapeText(tau)}, c ${shapeText(c)} (${side})`,
            ),
        ),
    },
    trtrs: {
      run: ({ a, b, lower, transpose, unitDiag }) =>
        withOperands([b], (o) => addon().trtrs(o.in(a), o.out(b), lower, transpose, unitDiag)),
      runAsync: ({ a, b, lower, transpose, unitDiag }) =>
        withOperandsAsync([b], (o) => addon().trtrsAsync(o.in(a), o.out(b), lower, transpose, unitDiag)),
      supports: ({ a, b }) => firstFailure(() => trsmOperands({ side: 'left', a, b })),
    },
    gelsd: {
      run: ({ a, b, rcond }) => {
        const out = lstsqOutputs(a, b);
        const info = withOperands([], (o) => addon().gelsd(o.in(a), o.in(b), rcond, out.s, out.x, out.rank));
        return out.result(info);
      },
      runAsync: async ({ a, b, rcond }) => {
        const out = lstsqOutputs(a, b);
        const info = await withOperandsAsync([], (o) =>
          addon().gelsdAsync(o.in(a), o.in(b), rcond, out.s, out.x, out.rank),
        );
        return out.result(info);
      },
      supports: ({ a, b, rcond }) =>
        firstFailure(
          () => floatOperands({ a: [a, 2], b: [b, 2] }),
          () => shapeMismatch(a.shape[0] === b.shape[0], `a ${shapeText(a)}, b ${shapeText(b)}`),
          () => Number.isNaN(rcond) && 'rcond is NaN',
        ),
    },
    syevr: {
      run: ({ a, vectors, il, iu }) => {
        const out = rangeOutputs(a, vectors, il, iu);
        return out.result(withOperands([], (o) => addon().syevr(o.in(a), vectors, il, iu, out.w, out.vDesc)));
      },
      runAsync: async ({ a, vectors, il, iu }) => {
        const out = rangeOutputs(a, vectors, il, iu);
        const info = await withOperandsAsync([], (o) =>
          addon().syevrAsync(o.in(a), vectors, il, iu, out.w, out.vDesc),
        );
        return out.result(info);
      },
      supports: ({ a, il, iu }) =>
        firstFailure(
          () => {
            const sqr = squareMat(a);
            return sqr !== true && sqr;
          },
          () =>
            !(Number.isInteger(il) && Number.isInteger(iu) && il >= 0 && il <= iu + 1 && iu < a.shape[0]) &&
            `range ${il}..${iu} outside 0 <= il <= iu + 1 <= ${a.shape[0]}`,
        ),
    },
    geqp3: {
      run: ({ a }) => {
        const tau = alloc(a as { data: FloatData }, Math.min(a.shape[0], a.shape[1]));
        const jpvt = new Int32Array(a.shape[1]);
        withOperands([a], (o) => addon().geqp3(o.out(a), denseVec(tau), jpvt));
        return { tau: wrap(tau, [tau.length]) as Vec, jpvt };
      },
      supports: ({ a }) => firstFailure(() => floatOperands({ a: [a, 2] })),
    },
    gesdd: {
      run: ({ a, job }) => {
        const out = svdOutputs(a, job);
        const info = withOperands([a], (o) =>
          addon().gesdd(o.out(a), job, denseVec(out.s), out.uDesc, out.vtDesc),
        );
        return { s: wrap(out.s, [out.s.length]) as Vec, u: out.u, vt: out.vt, info };
      },
      runAsync: async ({ a, job }) => {
        const out = svdOutputs(a, job);
        const info = await withOperandsAsync([a], (o) =>
          addon().gesddAsync(o.out(a), job, denseVec(out.s), out.uDesc, out.vtDesc),
        );
        return { s: wrap(out.s, [out.s.length]) as Vec, u: out.u, vt: out.vt, info };
      },
      supports: ({ a, job }) =>
        firstFailure(
          () => floatOperands({ a: [a, 2] }),
          () => !['values', 'thin', 'full'].includes(job) && `unknown job ${JSON.stringify(job)}`,
        ),
    },
    syevd: {
      run: ({ a, vectors }) => {
        const out = eighOutputs(a, vectors);
        const info = withOperands([], (o) => addon().syevd(o.in(a), vectors, denseVec(out.w), out.vDesc));
        return {
          w: wrap(out.w, [out.w.length]) as Vec,
          v: out.v ? (wrap(out.v, [a.shape[0], a.shape[0]]) as Mat) : null,
          info,
        };
      },
      runAsync: async ({ a, vectors }) => {
        const out = eighOutputs(a, vectors);
        const info = await withOperandsAsync([], (o) =>
          addon().syevdAsync(o.in(a), vectors, denseVec(out.w), out.vDesc),
        );
        return {
          w: wrap(out.w, [out.w.length]) as Vec,
          v: out.v ? (wrap(out.v, [a.shape[0], a.shape[0]]) as Mat) : null,
          info,
        };
      },
      supports: ({ a }) => squareMat(a),
    },
    geev: {
      run: ({ a, vectors }) => {
        const out = eighOutputs(a, vectors);
        const wi = alloc({ data: a.data as FloatData }, a.shape[0]);
        const info = withOperands([], (o) =>
          addon().geev(o.in(a), vectors, denseVec(out.w), denseVec(wi), out.vDesc),
        );
        return {
          wr: wrap(out.w, [out.w.length]) as Vec,
          wi: wrap(wi, [wi.length]) as Vec,
          vr: out.v ? (wrap(out.v, [a.shape[0], a.shape[0]]) as Mat) : null,
          info,
        };
      },
      supports: ({ a }) => squareMat(a),
    },
  };
}

function squareMat(a: Mat): true | string {
  return firstFailure(
    () => floatOperands({ a: [a, 2] }),
    () => shapeMismatch(sq(a), `a ${shapeText(a)} is not square`),
  );
}
