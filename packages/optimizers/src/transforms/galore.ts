import {
  InvalidArgumentError,
  NDArray,
  ShapeError,
  checkFunction,
  checkInteger,
  checkNumber,
  checkOptions,
  isNDArray,
  matmul,
  optionKeys,
} from '@krylov/core-array';
import { svd } from '@krylov/decompositions';
import { type GradientTransformation, checkTransform } from '../transform.js';
import { type ParamTree, elementsOf } from '../tree.js';

export interface GaloreOptions {
  /** Rank r of the projection: an integer from 1 to min(rows, cols) of every matrix parameter. */
  rank: number;
  /** Refresh the projection every this many steps, an integer >= 1 (default 200). */
  updateGap?: number;
  /** Scale alpha > 0 of the back-projected update (default 0.25, the paper's). */
  scale?: number;
  /**
   * Computes the r leading left singular vectors of a matrix (m x r); defaults to the exact SVD
   * from @krylov/decompositions. Pass a randomized SVD (e.g. from @krylov/sketching) for large matrices.
   */
  projector?: (g: NDArray<'float64'>, rank: number) => NDArray<'float64'>;
}

/** One parameter's GaLore state. */
export interface GaloreSlot {
  /**
   * The projection, row-major: rows x r (left) or cols x r (right) with r = min(rank, rows, cols);
   * null for parameters GaLore leaves alone (vectors). Zero until the first step computes it.
   */
  p: Float64Array | null;
  /** Whether the projection acts on the left (rows <= cols) or the right: GaLore projects the smaller side. */
  left: boolean;
}

/** `galore`'s state: the step count, the projections, and the base transformation's state (on the projected shapes). */
export interface GaloreState<S> {
  count: number;
  slots: Record<string, GaloreSlot>;
  base: S;
}

const GALORE_OPTIONS_KEYS = optionKeys<GaloreOptions>()('rank', 'updateGap', 'scale', 'projector');

/**
 * GaLore (Zhao et al. 2024, "GaLore: Memory-Efficient LLM Training by Gradient Low-Rank
 * Projection", Algorithm 2) wrapping any base transformation: each matrix gradient G (m x n) is
 * projected on its smaller side, R = P^T G (P the top-`rank` left singular vectors; m <= n) or
 * R = G Q (Q the top right singular vectors; m > n),
 * refreshed every `updateGap` steps; the base optimizer runs on R (its state is r x n), and the
 * update returned is scale * P N. Vectors pass through the base optimizer unprojected.
 * Memory for the base state drops from mn to rn. O(mn min(m, n)) per refresh.
 * @throws InvalidArgumentError for a bad option, and at init for a rank above min(rows, cols) of a
 * matrix parameter; ShapeError (at a refresh) for a projector that returns another shape.
 * @example
 * ```ts
 * import { rng } from '@krylov/core-array';
 * import { Optimizer, adam, galore } from '@krylov/optimizers';
 * const w = rng(1).normal([8, 16]);
 * const opt = new Optimizer({ w }, (o) => galore(adam(o), { rank: 2, updateGap: 50 }), { lr: 1e-2 });
 * opt.step({ w: rng(2).normal([8, 16]) }); // Adam state is 2 x 16 instead of 8 x 16
 * console.assert(opt.stepCount === 1, 'one projected step');
 * ```
 */
export function galore<S>(
  base: GradientTransformation<S>,
  options: GaloreOptions,
): GradientTransformation<GaloreState<S>> {
  const fn = 'galore';
  checkTransform(fn, 'base', base);
  checkOptions(fn, options, GALORE_OPTIONS_KEYS);
  const rank = checkInteger(fn, 'options.rank', options?.rank, { min: 1 });
  const updateGap =
    options.updateGap === undefined
      ? 200
      : checkInteger(fn, 'options.updateGap', options.updateGap, { min: 1 });
  const scale =
    options.scale === undefined
      ? 0.25
      : checkNumber(fn, 'options.scale', options.scale, { min: 0, minExclusive: true });
  const userProjector =
    options.projector === undefined
      ? undefined
      : checkFunction<NonNullable<GaloreOptions['projector']>>(fn, 'options.projector', options.projector);
  const projector = (g: NDArray<'float64'>, r: number, name: string): NDArray<'float64'> => {
    if (!userProjector) return svd(g, { mode: 'thin' }).u.slice(null, `0:${r}`).copy() as NDArray<'float64'>;
    const q = userProjector(g, r);
    const want = [g.shape[0], r];
    if (!isNDArray(q))
      throw new InvalidArgumentError(
        fn,
        `options.projector(grads.${name})`,
        q,
        `an NDArray of shape [${want}]`,
      );
    if (q.ndim !== 2 || q.shape[0] !== want[0] || q.shape[1] !== want[1])
      throw new ShapeError(
        fn,
        `options.projector(grads.${name})`,
        `must be ${JSON.stringify(want)}`,
        q.shape,
      );
    return q.copy('float64') as NDArray<'float64'>;
  };
  const shapeOf = (p: ParamTree[string], left: boolean): number[] => {
    const m = p.shape[0];
    const n = p.size / m;
    return left ? [Math.min(rank, m, n), n] : [m, Math.min(rank, m, n)];
  };
  const projectedTree = (params: ParamTree, slots: Record<string, GaloreSlot> | null): ParamTree =>
    Object.fromEntries(
      Object.entries(params).map(([name, p]) => {
        if (p.ndim < 2) return [name, p];
        const left = slots ? slots[name].left : p.shape[0] <= p.size / p.shape[0];
        return [
          name,
          new NDArray(new Float64Array(shapeOf(p, left).reduce((a, b) => a * b)), shapeOf(p, left)),
        ];
      }),
    );
  return {
    name: `galore(${base.name ?? 'anonymous'})`,
    init(params) {
      const slots: Record<string, GaloreSlot> = {};
      for (const [name, p] of Object.entries(params)) {
        if (p.ndim < 2) {
          slots[name] = { p: null, left: false };
          continue;
        }
        const m = p.shape[0];
        const n = p.size / m;
        if (rank > Math.min(m, n))
          throw new InvalidArgumentError(
            fn,
            'options.rank',
            rank,
            `at most min(rows, cols) = ${Math.min(m, n)} of every matrix parameter (params.${name} is ${m} x ${n})`,
          );
        const left = m <= n;
        slots[name] = { p: new Float64Array((left ? m : n) * rank), left };
      }
      return { count: 0, slots, base: base.init(projectedTree(params, slots)) };
    },
    check: (state) => base.check?.(state.base),
    update(updates, state, params) {
      base.check?.(state.base);
      state.count++;
      const low: ParamTree = {};
      for (const [name, u] of Object.entries(updates)) {
        const p = params[name];
        if (p.ndim < 2) {
          low[name] = u;
          continue;
        }
        const slot = state.slots[name];
        const m = p.shape[0];
        const n = p.size / m;
        const g = new NDArray(Float64Array.from(elementsOf(u)), [m, n]) as NDArray<'float64'>;
        const proj = new NDArray(slot.p as Float64Array, [slot.left ? m : n, rank]) as NDArray<'float64'>;
        if ((state.count - 1) % updateGap === 0)
          proj.data.set(projector(slot.left ? g : (g.T.copy() as NDArray<'float64'>), rank, name).data);
        low[name] = (slot.left ? matmul(proj.T, g) : matmul(g, proj)) as NDArray<'float64'>;
      }
      const lowParams = projectedTree(params, state.slots);
      base.update(low, state.base, lowParams);
      for (const [name, u] of Object.entries(updates)) {
        const slot = state.slots[name];
        const p = params[name];
        if (p.ndim < 2 || !slot.p) continue;
        const m = p.shape[0];
        const proj = new NDArray(slot.p, [slot.left ? m : p.size / m, rank]) as NDArray<'float64'>;
        const back = (slot.left ? matmul(proj, low[name]) : matmul(low[name], proj.T)) as NDArray<'float64'>;
        const ud = elementsOf(u);
        for (let i = 0; i < ud.length; i++) ud[i] = scale * back.data[i];
      }
    },
  };
}
