import {
  InvalidArgumentError,
  KrylovError,
  ShapeError,
  checkBoolean,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';
import { COOMatrix, type SparseMatrix, isSparse } from './formats.js';
import { checkSymmetricMatrix } from './symmetry.js';

/**
 * A Matrix Market file that does not parse (NIST Matrix Market exchange format); `line` is 1-based.
 * Thrown by `readMatrixMarket`.
 * @example
 * ```ts
 * import { MatrixMarketError, readMatrixMarket } from '@krylov/solvers';
 * try {
 *   readMatrixMarket('%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1.0\n');
 * } catch (e) {
 *   console.assert(e instanceof MatrixMarketError && e.line === 3, 'the row index 3 is out of range, line 3');
 * }
 * ```
 */
export class MatrixMarketError extends KrylovError {
  readonly line: number;
  constructor(fn: string, line: number, detail: string) {
    super(fn, `line ${line}: ${detail}`);
    this.line = line;
  }
}

type Field = 'real' | 'integer' | 'pattern';
type Symmetry = 'general' | 'symmetric' | 'skew-symmetric';

/**
 * Parses a Matrix Market file (NIST format, as scipy.io.mmread): `coordinate` with `real`,
 * `integer` or `pattern` fields and `general`, `symmetric` or `skew-symmetric` symmetry (the
 * mirrored half is added), or dense `array` format. Complex and Hermitian files are rejected.
 * O(file size).
 * @example
 * ```ts
 * import { readMatrixMarket } from '@krylov/solvers';
 * const text = '%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n1 1 4.0\n2 1 1.0\n';
 * const a = readMatrixMarket(text).toCSR(); // symmetric storage is expanded
 * console.assert(a.get(0, 1) === 1 && a.get(1, 0) === 1 && a.get(0, 0) === 4, 'both triangles');
 * ```
 * @throws MatrixMarketError with the line number of the first malformed line.
 */
export function readMatrixMarket(text: string): COOMatrix {
  const fn = 'readMatrixMarket';
  if (typeof text !== 'string')
    throw new InvalidArgumentError(fn, 'text', text, 'the text of a Matrix Market file');
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim().toLowerCase().split(/\s+/) ?? [];
  if (header[0] !== '%%matrixmarket' || header[1] !== 'matrix')
    throw new MatrixMarketError(
      fn,
      1,
      "expected the header '%%MatrixMarket matrix <format> <field> <symmetry>'",
    );
  const [format, field, symmetry] = header.slice(2);
  if (format !== 'coordinate' && format !== 'array')
    throw new MatrixMarketError(fn, 1, `unknown format ${JSON.stringify(format)} (coordinate or array)`);
  if (field !== 'real' && field !== 'integer' && field !== 'pattern')
    throw new MatrixMarketError(
      fn,
      1,
      `unsupported field ${JSON.stringify(field)} (real, integer or pattern)`,
    );
  if (symmetry !== 'general' && symmetry !== 'symmetric' && symmetry !== 'skew-symmetric')
    throw new MatrixMarketError(
      fn,
      1,
      `unsupported symmetry ${JSON.stringify(symmetry)} (general, symmetric or skew-symmetric)`,
    );
  if (format === 'array' && field === 'pattern')
    throw new MatrixMarketError(fn, 1, 'array format cannot be pattern');

  let at = 1;
  while (at < lines.length && (lines[at].startsWith('%') || lines[at].trim() === '')) at++;
  if (at >= lines.length) throw new MatrixMarketError(fn, at, 'missing the size line');
  const size = numbers(fn, lines[at], at + 1, format === 'coordinate' ? 3 : 2, true);
  const [m, n] = size;
  if (symmetry !== 'general' && m !== n)
    throw new MatrixMarketError(fn, at + 1, `a ${symmetry} matrix must be square (got ${m} x ${n})`);

  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  const push = (i: number, j: number, v: number) => {
    rows.push(i);
    cols.push(j);
    vals.push(v);
    if (symmetry !== 'general' && i !== j) {
      rows.push(j);
      cols.push(i);
      vals.push(symmetry === 'symmetric' ? v : -v);
    }
  };
  const expected =
    format === 'coordinate'
      ? size[2]
      : symmetry === 'general'
        ? m * n
        : (n * (n + 1)) / 2 - (symmetry === 'skew-symmetric' ? n : 0);
  let count = 0;
  let col = 0;
  let row = symmetry === 'skew-symmetric' ? 1 : 0;
  for (let k = at + 1; k < lines.length; k++) {
    const line = lines[k].trim();
    if (line === '' || line.startsWith('%')) continue;
    if (count === expected)
      throw new MatrixMarketError(fn, k + 1, `more than the ${expected} declared entries`);
    if (format === 'coordinate') {
      const t = numbers(fn, line, k + 1, field === 'pattern' ? 2 : 3, field !== 'real');
      const [i, j] = t;
      if (i < 1 || i > m || j < 1 || j > n)
        throw new MatrixMarketError(fn, k + 1, `index (${i}, ${j}) outside the ${m} x ${n} matrix`);
      if (symmetry !== 'general' && j > i)
        throw new MatrixMarketError(fn, k + 1, `entry (${i}, ${j}) above the diagonal of a ${symmetry} file`);
      push(i - 1, j - 1, field === 'pattern' ? 1 : t[2]);
    } else {
      // Column-major, lower triangle only when symmetric.
      const [v] = numbers(fn, line, k + 1, 1, field === 'integer');
      if (v !== 0) push(row, col, v);
      row++;
      if (row === m) {
        col++;
        row = symmetry === 'general' ? 0 : col + (symmetry === 'skew-symmetric' ? 1 : 0);
      }
    }
    count++;
  }
  if (count < expected)
    throw new MatrixMarketError(
      fn,
      lines.length - (lines[lines.length - 1] === '' ? 1 : 0),
      `end of file after ${count} of the ${expected} declared entries`,
    );
  return new COOMatrix([m, n], rows, cols, vals);
}

function numbers(fn: string, line: string, lineNo: number, count: number, integers: boolean): number[] {
  const parts = line.trim().split(/\s+/);
  if (parts.length !== count)
    throw new MatrixMarketError(
      fn,
      lineNo,
      `expected ${count} numbers, found ${parts.length}: ${JSON.stringify(line)}`,
    );
  return parts.map((p) => {
    const v = Number(p);
    if (p === '' || !Number.isFinite(v) || (integers && !Number.isInteger(v)))
      throw new MatrixMarketError(
        fn,
        lineNo,
        `${JSON.stringify(p)} is not ${integers ? 'an integer' : 'a finite number'}`,
      );
    return v;
  });
}

const WRITE_MATRIX_MARKET_OPTIONS_KEYS = optionKeys<WriteMatrixMarketOptions>()(
  'symmetric',
  'comment',
  'checkSymmetry',
);

/** Options of {@link writeMatrixMarket}. */
export type WriteMatrixMarketOptions = { symmetric?: boolean; comment?: string; checkSymmetry?: boolean };

/**
 * Writes a sparse matrix as Matrix Market `coordinate real` text (as scipy.io.mmwrite). With
 * `symmetric: true` only the lower triangle is written and the header says `symmetric`; the matrix
 * is checked for symmetry first (O(nnz), core-array's rule; `checkSymmetry: false` skips it), since
 * the upper triangle would otherwise be dropped silently. Values are printed with 17 significant
 * digits, so reading back is exact.
 * @example
 * ```ts
 * import { poisson, readMatrixMarket, writeMatrixMarket } from '@krylov/solvers';
 * const a = poisson([3]);
 * const text = writeMatrixMarket(a, { symmetric: true }); // the lower triangle only
 * const back = readMatrixMarket(text).toCSR();
 * console.assert(text.includes('symmetric') && back.get(0, 1) === -1, 'round trip');
 * ```
 * @throws InvalidArgumentError for a non-sparse `a`, bad options or (with `symmetric`) an asymmetric matrix.
 */
export function writeMatrixMarket(a: SparseMatrix, options: WriteMatrixMarketOptions = {}): string {
  const fn = 'writeMatrixMarket';
  if (!isSparse(a)) throw new InvalidArgumentError(fn, 'a', a, 'a sparse matrix');
  checkOptions(fn, options, WRITE_MATRIX_MARKET_OPTIONS_KEYS);
  const symmetric =
    options.symmetric === undefined ? false : checkBoolean(fn, 'options.symmetric', options.symmetric);
  if (options.comment !== undefined && typeof options.comment !== 'string')
    throw new InvalidArgumentError(fn, 'options.comment', options.comment, 'a string');
  if (symmetric) {
    if (a.shape[0] !== a.shape[1])
      throw new ShapeError(fn, 'a', 'a symmetric file needs a square matrix', a.shape);
    checkSymmetricMatrix(fn, 'a', a, options.checkSymmetry);
  }
  const coo = a instanceof COOMatrix ? a.toCSR().toCOO() : a.toCOO();
  const keep: number[] = [];
  for (let p = 0; p < coo.nnz; p++) if (!symmetric || coo.rows[p] >= coo.cols[p]) keep.push(p);
  const out = [`%%MatrixMarket matrix coordinate real ${symmetric ? 'symmetric' : 'general'}`];
  if (options.comment) for (const c of options.comment.split('\n')) out.push(`% ${c}`);
  out.push(`${coo.shape[0]} ${coo.shape[1]} ${keep.length}`);
  for (const p of keep) out.push(`${coo.rows[p] + 1} ${coo.cols[p] + 1} ${formatValue(coo.values[p])}`);
  return `${out.join('\n')}\n`;
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(17);
}
