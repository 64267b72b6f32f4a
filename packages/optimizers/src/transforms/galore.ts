import { InvalidArgumentError, NDArray, checkOptions, matmul } from '@krylov/core-array';
import { svd } from '@krylov/decompositions';
import type { GradientTransformation } from '../transform.js';
import type { Buffer, ParamTree } from '../tree.js';

export interface GaloreOptions {
  /** Rank r of the projection. */
  rank: number;
  /** Refresh the projection every this many steps (default 200). */
  updateGap?: number;
  /** Scale alpha of the back-projected update (default 0.25, the paper's). */
  scale?: number;
  /**
   * Computes the r leading left singular vectors of a matrix (m x r); defaults to the exact SVD
   * from @krylov/decompositions. Pass a randomized SVD (e.g. from @krylov/sketching) for large matrices.
   */
  projector?: (g: NDArray<'float64'>, rank: number) => NDArray<'float64'>;
}

interface Slot {
  /** m x r projection, or null for parameters GaLore leaves alone (vectors). */
  p: NDArray<'float64'> | null;
  /** Whether the projection acts on the left (rows <= cols) or the right: GaLore projects the smaller side. */
  left: boolean;
}

/**
 * GaLore (Zhao et al. 2024, "GaLore: Memory-Efficient LLM Training by Gradient Low-Rank
 * Projection", Algorithm 2) wrapping any base transformation: each matrix gradient G (m x n) is
 * projected on its smaller side, R = P^T G (P the top-`rank` left singular vectors; m <= n) or
 * R = G Q (Q the top right singular vectors; m > n),
 * refreshed every `updateGap` steps; the base optimizer runs on R (its state is r x n), and the
 * update returned is scale * P N. Vectors pass through the base optimizer unprojected.
 * Memory for the base state drops from mn to rn. O(mn min(m, n)) per refresh.
 * @throws InvalidArgumentError for a rank that is not a positive integer.
 */
export function galore<S>(
  base: GradientTransformation<S>,
  options: GaloreOptions,
): GradientTransformation<{ count: number; slots: Record<string, Slot>; base: S }> {
  const fn = 'galore';
  checkOptions(fn, options, ['rank', 'updateGap', 'scale', 'projector']);
  const { rank, updateGap = 200, scale = 0.25 } = options;
  if (!Number.isInteger(rank) || rank < 1)
    throw new InvalidArgumentError(fn, 'options.rank', rank, 'a positive integer');
  const projector =
    options.projector ??
    ((g, r) => svd(g, { mode: 'thin' }).u.slice(null, `0:${r}`).copy() as NDArray<'float64'>);
  const shapeOf = (p: ParamTree[string], left: boolean): number[] => {
    const m = p.shape[0];
    const n = p.size / m;
    return left ? [Math.min(rank, m, n), n] : [m, Math.min(rank, m, n)];
  };
  const projectedTree = (params: ParamTree, slots: Record<string, Slot> | null): ParamTree =>
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
    init(params) {
      const slots: Record<string, Slot> = {};
      for (const [name, p] of Object.entries(params))
        slots[name] = { p: null, left: p.ndim >= 2 && p.shape[0] <= p.size / p.shape[0] };
      return { count: 0, slots, base: base.init(projectedTree(params, slots)) };
    },
    update(updates, state, params) {
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
        const g = new NDArray(Float64Array.from(u.data), [m, p.size / m]) as NDArray<'float64'>;
        if (!slot.p || (state.count - 1) % updateGap === 0) {
          const k = Math.min(rank, m, p.size / m);
          slot.p = slot.left ? projector(g, k) : (projector(g.T.copy(), k) as NDArray<'float64'>);
        }
        low[name] = (slot.left ? matmul(slot.p.T, g) : matmul(g, slot.p)) as NDArray<'float64'>;
      }
      const lowParams = projectedTree(params, state.slots);
      base.update(low, state.base, lowParams);
      for (const [name, u] of Object.entries(updates)) {
        const slot = state.slots[name];
        if (params[name].ndim < 2 || !slot.p) continue;
        const back = (
          slot.left ? matmul(slot.p, low[name]) : matmul(low[name], slot.p.T)
        ) as NDArray<'float64'>;
        const ud = u.data as Buffer;
        for (let i = 0; i < ud.length; i++) ud[i] = scale * back.data[i];
      }
    },
  };
}
