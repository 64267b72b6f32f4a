import type { NDArray } from './ndarray.js';

const EDGE = 3;
const SUMMARIZE_ABOVE = 1000;

function formatNumber(v: number, isFloat: boolean): string {
  if (!isFloat) return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.' : '0.';
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e8) {
    const s = String(Number(v.toPrecision(8)));
    return s.includes('.') || s.includes('e') ? s : `${s}.`;
  }
  return v.toExponential(6).replace(/\.?0+e/, 'e');
}

/**
 * NumPy-like text: `array([[1., 2.], [3., 4.]], dtype=float64)`, with columns aligned and large
 * arrays summarized by their first and last three entries per axis.
 */
export function formatArray(a: NDArray): string {
  const isFloat = a.dtype === 'float64' || a.dtype === 'float32';
  const summarize = a.size > SUMMARIZE_ABOVE;
  const cells: string[] = [];
  const visit = (axis: number, off: number): void => {
    if (axis === a.ndim) {
      cells.push(formatNumber(a.data[off], isFloat));
      return;
    }
    for (const i of indices(a.shape[axis], summarize)) if (i >= 0) visit(axis + 1, off + i * a.strides[axis]);
  };
  visit(0, a.offset);
  const width = Math.max(0, ...cells.map((c) => c.length));
  let next = 0;
  const render = (axis: number, indent: string): string => {
    if (axis === a.ndim) return cells[next++].padStart(width);
    const parts = indices(a.shape[axis], summarize).map((i) =>
      i < 0 ? '...' : render(axis + 1, `${indent} `),
    );
    const sep = axis === a.ndim - 1 ? ', ' : `,${'\n'.repeat(a.ndim - axis - 1)}${indent} `;
    return `[${parts.join(sep)}]`;
  };
  return `array(${render(0, '      ')}, dtype=${a.dtype})`;
}

function indices(n: number, summarize: boolean): number[] {
  const all = [...Array(n).keys()];
  if (!summarize || n <= 2 * EDGE) return all;
  return [...all.slice(0, EDGE), -1, ...all.slice(n - EDGE)];
}
