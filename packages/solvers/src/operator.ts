import {
  DTypeError,
  InvalidArgumentError,
  type Mat,
  NDArray,
  ShapeError,
  checkFunction,
  checkInteger,
  checkNumber,
  isNDArray,
  zeros,
} from '@krylov/core-array';
import { gemv } from '@krylov/core-array/internal';
import { type LUFactor, luFactor, luSolve } from '@krylov/decompositions';
import { COOMatrix, type SparseMatrix, isSparse } from './sparse/formats.js';
import { asVec, denseMatrix, float64Operand, overlaps, requireFinite, toVector } from './vector.js';

/** Anything the iterative solvers accept as A: a LinearOperator, a dense matrix or a sparse matrix. */
export type OperatorLike = LinearOperator | NDArray | SparseMatrix;

type Apply = (x: Float64Array, out: Float64Array) => void;

/**
 * A user callback: writes into `out` and returns nothing (or `out`), or returns its result as a
 * new array (SciPy's style, `x => A @ x`), which is checked for length and copied into `out`.
 */
export type MatvecCallback = (x: Float64Array, out: Float64Array) => void | ArrayLike<number> | NDArray;

/**
 * Wraps a user callback so that what it returns is checked once per call: a returned array of the
 * wrong length is a ShapeError naming the operator (a silently short or ignored result would be a
 * wrong answer).
 */
function checkedCallback(name: string, which: 'matvec' | 'rmatvec', f: MatvecCallback, len: number): Apply {
  return (x, out) => {
    const r = f(x, out);
    if (r === undefined || r === out) return;
    const fn = `LinearOperator(${name}).${which}`;
    let data: ArrayLike<number>;
    if (isNDArray(r)) {
      const a = r as NDArray;
      if (a.dtype !== 'float64' && a.dtype !== 'float32')
        throw new DTypeError(fn, which, a.dtype, 'float64 or float32 (what the callback returned)');
      data = a.contiguous().data as ArrayLike<number>;
      if (a.size !== len)
        throw new ShapeError(fn, which, `the callback returned ${a.size} values; expected ${len}`, a.shape);
    } else if (ArrayBuffer.isView(r) || Array.isArray(r)) {
      data = r as ArrayLike<number>;
      if (data.length !== len)
        throw new ShapeError(fn, which, `the callback returned ${data.length} values; expected ${len}`, [
          data.length,
        ]);
    } else
      throw new InvalidArgumentError(fn, which, r, 'a callback that writes into out or returns an array');
    for (let i = 0; i < len; i++) out[i] = data[i];
  };
}

/**
 * A matrix known only by its action (scipy.sparse.linalg.LinearOperator): `matvec` computes A x
 * and, when given, `rmatvec` computes A^T x. Every iterative solver takes one; dense and sparse
 * matrices convert with `aslinearoperator`. Operators combine lazily (`add`, `scale`, `dot`, `T`,
 * `kron`, `blockDiag`): nothing is formed. Each application costs one call of the callback; vectors
 * are float64. Errors: see the constructor and each method.
 * @example
 * ```ts
 * import { LinearOperator, cg } from '@krylov/solvers';
 * // the matrix-free operator diag(1, 2, ..., n)
 * const n = 5;
 * const a = new LinearOperator([n, n], (x, out) => { for (let i = 0; i < n; i++) out[i] = (i + 1) * x[i]; });
 * const { x, converged } = cg(a, new Float64Array(n).fill(1));
 * console.assert(converged && Math.abs(x.get(4) - 0.2) < 1e-8, 'x_i = 1 / (i + 1)');
 * ```
 */
export class LinearOperator {
  readonly shape: readonly [number, number];
  /** A name for error messages (default 'LinearOperator'). */
  readonly name: string;
  private readonly forward: Apply;
  private readonly adjoint: Apply | undefined;

  /**
   * @param shape [rows, columns]
   * @param matvec writes A x into `out` (length rows), or returns A x as an array of that length;
   *   must not keep references to its arguments. `out` never aliases `x`.
   * @param rmatvec the same for A^T x (length columns); needed by LSQR, LSMR, svds and `T`
   * @param options.name names the operator in error messages
   * @throws InvalidArgumentError when the shape is not two non-negative integers or a callback is
   *   not a function. A callback that returns an array of the wrong length throws a ShapeError
   *   naming the operator when it is called.
   */
  constructor(
    shape: readonly number[],
    matvec: MatvecCallback,
    rmatvec?: MatvecCallback,
    options?: { name?: string },
  ) {
    if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new InvalidArgumentError('LinearOperator', 'shape', shape, 'two non-negative integers');
    checkFunction('LinearOperator', 'matvec', matvec);
    if (rmatvec !== undefined) checkFunction('LinearOperator', 'rmatvec', rmatvec);
    const name = options?.name ?? 'LinearOperator';
    if (typeof name !== 'string')
      throw new InvalidArgumentError('LinearOperator', 'options.name', name, 'a string');
    this.shape = [shape[0], shape[1]];
    this.name = name;
    this.forward = checkedCallback(name, 'matvec', matvec, shape[0]);
    this.adjoint = rmatvec && checkedCallback(name, 'rmatvec', rmatvec, shape[1]);
  }

  /** Whether `rmatvec` is available. */
  get hasAdjoint(): boolean {
    return this.adjoint !== undefined;
  }

  /**
   * A x (into `out` when given; `out` may alias `x`: x is then read from a copy).
   * @throws ShapeError when x or out has the wrong length; DTypeError when either is not a Float64Array.
   */
  matvec(x: Float64Array, out = new Float64Array(this.shape[0])): Float64Array {
    float64Operand('LinearOperator.matvec', 'x', x, this.shape[1]);
    float64Operand('LinearOperator.matvec', 'out', out, this.shape[0]);
    this.forward(overlaps(x, out) ? x.slice() : x, out);
    return out;
  }

  /**
   * A^T x.
   * @throws InvalidArgumentError when the operator has no rmatvec; ShapeError on wrong lengths.
   */
  rmatvec(x: Float64Array, out = new Float64Array(this.shape[1])): Float64Array {
    if (!this.adjoint)
      throw new InvalidArgumentError(
        'LinearOperator.rmatvec',
        'rmatvec',
        undefined,
        'an operator constructed with rmatvec',
      );
    float64Operand('LinearOperator.rmatvec', 'x', x, this.shape[0]);
    float64Operand('LinearOperator.rmatvec', 'out', out, this.shape[1]);
    this.adjoint(overlaps(x, out) ? x.slice() : x, out);
    return out;
  }

  /** A X for a dense X (one matvec per column). */
  matmat(x: NDArray): NDArray<'float64'> {
    if (!isNDArray(x)) throw new InvalidArgumentError('LinearOperator.matmat', 'x', x, 'an NDArray');
    if (x.ndim !== 2 || x.shape[0] !== this.shape[1])
      throw new ShapeError('LinearOperator.matmat', 'x', `expected ${this.shape[1]} rows`, x.shape);
    const [m] = this.shape;
    const k = x.shape[1];
    const out = zeros([m, k]);
    const col = new Float64Array(this.shape[1]);
    const y = new Float64Array(m);
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < col.length; i++) col[i] = x.get(i, j);
      this.forward(col, y);
      for (let i = 0; i < m; i++) out.data[i * k + j] = y[i];
    }
    return out;
  }

  /** The operator as a dense matrix (n matvecs): for tests and small problems. */
  toDense(): NDArray<'float64'> {
    const n = this.shape[1];
    const eye = zeros([n, n]);
    for (let i = 0; i < n; i++) eye.data[i * n + i] = 1;
    return this.matmat(eye);
  }

  /** A^T (swaps matvec and rmatvec). */
  get T(): LinearOperator {
    if (!this.adjoint)
      throw new InvalidArgumentError(
        'LinearOperator.T',
        'rmatvec',
        undefined,
        'an operator constructed with rmatvec',
      );
    return new LinearOperator([this.shape[1], this.shape[0]], this.adjoint, this.forward);
  }

  /** alpha A. */
  scale(alpha: number): LinearOperator {
    checkNumber('LinearOperator.scale', 'alpha', alpha);
    const f = this.forward;
    const g = this.adjoint;
    const scaled =
      (h: Apply): Apply =>
      (x, out) => {
        h(x, out);
        for (let i = 0; i < out.length; i++) out[i] *= alpha;
      };
    return new LinearOperator(this.shape, scaled(f), g && scaled(g));
  }

  /** A + B. @throws ShapeError when the shapes differ. */
  add(other: OperatorLike): LinearOperator {
    const b = aslinearoperator(other);
    if (b.shape[0] !== this.shape[0] || b.shape[1] !== this.shape[1])
      throw new ShapeError(
        'LinearOperator.add',
        'other',
        `expected shape [${this.shape.join(', ')}]`,
        b.shape,
      );
    const sum = (f: Apply, g: Apply, len: number): Apply => {
      const tmp = new Float64Array(len);
      return (x, out) => {
        f(x, out);
        g(x, tmp);
        for (let i = 0; i < out.length; i++) out[i] += tmp[i];
      };
    };
    return new LinearOperator(
      this.shape,
      sum(this.forward, b.forward, this.shape[0]),
      this.adjoint && b.adjoint ? sum(this.adjoint, b.adjoint, this.shape[1]) : undefined,
    );
  }

  /** The product A B, applied right to left. @throws ShapeError when the inner dimensions differ. */
  dot(other: OperatorLike): LinearOperator {
    const b = aslinearoperator(other);
    if (b.shape[0] !== this.shape[1])
      throw new ShapeError('LinearOperator.dot', 'other', `expected ${this.shape[1]} rows`, b.shape);
    const mid = new Float64Array(this.shape[1]);
    const midT = new Float64Array(this.shape[1]);
    return new LinearOperator(
      [this.shape[0], b.shape[1]],
      (x, out) => {
        b.forward(x, mid);
        this.forward(mid, out);
      },
      this.adjoint && b.adjoint
        ? (x, out) => {
            this.adjoint!(x, midT);
            b.adjoint!(midT, out);
          }
        : undefined,
    );
  }
}

/**
 * Wraps a dense matrix, a sparse matrix or an operator as a LinearOperator (the operator itself is
 * returned unchanged; scipy.sparse.linalg.aslinearoperator). Dense matrices are read through their
 * strides; O(mn) per matvec, O(nnz) for a sparse matrix.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { aslinearoperator } from '@krylov/solvers';
 * const op = aslinearoperator(array([[1, 2], [3, 4]]));
 * const y = op.T.matvec(Float64Array.of(1, 1)); // A^T x through rmatvec
 * console.assert(y[0] === 4 && y[1] === 6, 'A^T [1, 1] = [4, 6]');
 * ```
 * @throws InvalidArgumentError for anything else; ShapeError for a dense array that is not 2-D.
 */
export function aslinearoperator(a: OperatorLike): LinearOperator {
  if (a instanceof LinearOperator) return a;
  if (isSparse(a)) {
    const csr = a instanceof COOMatrix ? a.toCSR() : a;
    return new LinearOperator(
      csr.shape,
      (x, out) => void csr.matvec(x, out),
      (x, out) => void csr.rmatvec(x, out),
    );
  }
  if (isNDArray(a)) {
    const m = denseMatrix('aslinearoperator', 'a', a);
    const d = m.astype('float64').contiguous();
    // A NaN or infinite entry would make every solve return NaN: refuse it here, O(mn) once.
    requireFinite('aslinearoperator', 'a', d.data);
    const [rows, cols] = d.shape;
    const dense = d as Mat;
    // One registry `gemv` per product (the matrix was checked above; x and out by LinearOperator).
    return new LinearOperator(
      [rows, cols],
      (x, out) => gemv({ alpha: 1, a: dense, x: asVec(x), beta: 0, y: asVec(out) }),
      (x, out) => gemv({ alpha: 1, a: dense.T as Mat, x: asVec(x), beta: 0, y: asVec(out) }),
    );
  }
  throw new InvalidArgumentError(
    'aslinearoperator',
    'a',
    a,
    'a LinearOperator, an NDArray or a sparse matrix',
  );
}

/**
 * The n x n identity (scipy.sparse.linalg.aslinearoperator(eye(n)), never formed). O(n) per
 * application.
 * @throws InvalidArgumentError when n is not a non-negative integer.
 * @example
 * ```ts
 * import { identityOperator } from '@krylov/solvers';
 * const y = identityOperator(3).matvec(Float64Array.of(1, 2, 3));
 * console.assert(y[2] === 3, 'I x = x');
 * ```
 */
export function identityOperator(n: number): LinearOperator {
  checkInteger('identityOperator', 'n', n, { min: 0 });
  const copy: Apply = (x, out) => out.set(x);
  return new LinearOperator([n, n], copy, copy);
}

/**
 * The Kronecker product A (x) B applied without forming it: with x laid out row-major as an
 * (cols(A) x cols(B)) matrix X, (A (x) B) x = vec(A X B^T). O(m_A n_A n_B + m_A n_B m_B) per matvec
 * instead of O(m_A m_B n_A n_B) (scipy.sparse.kron, lazily; Van Loan, "The ubiquitous Kronecker
 * product", J. Comput. Appl. Math. 2000).
 * @throws InvalidArgumentError when an operand is not operator-like (see `aslinearoperator`).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { kron } from '@krylov/solvers';
 * const k = kron(array([[1, 2], [3, 4]]), array([[0, 1], [1, 0]])); // 4 x 4, never formed
 * console.assert(k.shape[0] === 4 && k.toDense().get(2, 1) === 3, '(A kron B)[2, 1] = a_10 b_01');
 * ```
 */
export function kron(a: OperatorLike, b: OperatorLike): LinearOperator {
  const A = aslinearoperator(a);
  const B = aslinearoperator(b);
  const [ma, na] = A.shape;
  const [mb, nb] = B.shape;
  // out = vec(P X Q^T) for operators P (p x q rows/cols) applied along columns, Q along rows.
  const make = (P: Apply, pm: number, pn: number, Q: Apply, qm: number, qn: number): Apply => {
    const rowIn = new Float64Array(qn);
    const rowOut = new Float64Array(qm);
    const colIn = new Float64Array(pn);
    const colOut = new Float64Array(pm);
    const tmp = new Float64Array(pn * qm);
    return (x, out) => {
      for (let i = 0; i < pn; i++) {
        for (let j = 0; j < qn; j++) rowIn[j] = x[i * qn + j];
        Q(rowIn, rowOut);
        tmp.set(rowOut, i * qm);
      }
      for (let j = 0; j < qm; j++) {
        for (let i = 0; i < pn; i++) colIn[i] = tmp[i * qm + j];
        P(colIn, colOut);
        for (let i = 0; i < pm; i++) out[i * qm + j] = colOut[i];
      }
    };
  };
  const fwd = make(
    (x, o) => A.matvec(x, o),
    ma,
    na,
    (x, o) => B.matvec(x, o),
    mb,
    nb,
  );
  const adj =
    A.hasAdjoint && B.hasAdjoint
      ? make(
          (x, o) => A.rmatvec(x, o),
          na,
          ma,
          (x, o) => B.rmatvec(x, o),
          nb,
          mb,
        )
      : undefined;
  return new LinearOperator([ma * mb, na * nb], fwd, adj);
}

/**
 * The block-diagonal operator diag(A_1, ..., A_k) (scipy.sparse.block_diag, lazily): shape the sums
 * of the blocks' rows and columns; one application costs one application of each block.
 * @throws InvalidArgumentError when `blocks` is not an array or a block is not operator-like (an
 *   empty array gives the 0 x 0 operator).
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { blockDiag, identityOperator } from '@krylov/solvers';
 * const op = blockDiag([array([[2]]), identityOperator(2)]); // diag(2, 1, 1)
 * const y = op.matvec(Float64Array.of(1, 1, 1));
 * console.assert(op.shape[0] === 3 && y[0] === 2 && y[2] === 1, 'diag(2, I_2)');
 * ```
 */
export function blockDiag(blocks: readonly OperatorLike[]): LinearOperator {
  if (!Array.isArray(blocks))
    throw new InvalidArgumentError('blockDiag', 'blocks', blocks, 'an array of operators or matrices');
  const ops = blocks.map(aslinearoperator);
  const rowStart = [0];
  const colStart = [0];
  for (const op of ops) {
    rowStart.push(rowStart[rowStart.length - 1] + op.shape[0]);
    colStart.push(colStart[colStart.length - 1] + op.shape[1]);
  }
  const apply =
    (adjoint: boolean): Apply =>
    (x, out) => {
      ops.forEach((op, k) => {
        const [r0, r1, c0, c1] = adjoint
          ? [colStart[k], colStart[k + 1], rowStart[k], rowStart[k + 1]]
          : [rowStart[k], rowStart[k + 1], colStart[k], colStart[k + 1]];
        const xin = x.subarray(c0, c1);
        const o = out.subarray(r0, r1);
        if (adjoint) op.rmatvec(xin, o);
        else op.matvec(xin, o);
      });
    };
  return new LinearOperator(
    [rowStart[ops.length], colStart[ops.length]],
    apply(false),
    ops.every((o) => o.hasAdjoint) ? apply(true) : undefined,
  );
}

/**
 * D + U V^T with D = diag(d) (n x n) and U, V n x k (V = U when omitted): a diagonal plus low-rank
 * operator, applied in O(nk) and solved exactly by the Sherman-Morrison-Woodbury identity
 * (D + U V^T)^-1 = D^-1 - D^-1 U (I + V^T D^-1 U)^-1 V^T D^-1 (Golub & Van Loan 2013, 2.1.4), with
 * the k x k capacitance matrix factored once by LU. O(nk^2 + k^3) to set up, O(nk) per solve.
 * @example
 * ```ts
 * import { array } from '@krylov/core-array';
 * import { DiagonalPlusLowRank } from '@krylov/solvers';
 * // D + U U^T with D = diag(1, 1), U = [1, 1]^T: [[2, 1], [1, 2]]
 * const op = new DiagonalPlusLowRank([1, 1], array([[1], [1]]));
 * const x = op.solve(Float64Array.of(3, 3)); // Woodbury identity, O(n k^2)
 * console.assert(Math.abs(x[0] - 1) < 1e-12 && Math.abs(x[1] - 1) < 1e-12, 'x = [1, 1]');
 * ```
 */
export class DiagonalPlusLowRank extends LinearOperator {
  readonly d: Float64Array;
  readonly u: NDArray<'float64'>;
  readonly v: NDArray<'float64'>;
  private capacitance: LUFactor | null = null;

  /** @throws ShapeError on mismatched shapes; InvalidArgumentError on non-finite input. */
  constructor(d: ArrayLike<number>, u: NDArray, v?: NDArray) {
    const fn = 'DiagonalPlusLowRank';
    denseMatrix(fn, 'u', u);
    if (v !== undefined) denseMatrix(fn, 'v', v);
    if (d === null || typeof d !== 'object' || typeof (d as ArrayLike<number>).length !== 'number')
      throw new InvalidArgumentError(fn, 'd', d, 'an array of numbers');
    const n = d.length;
    const U = u.astype('float64').contiguous();
    const V = (v ?? u).astype('float64').contiguous();
    for (const [arg, m] of [
      ['u', U],
      ['v', V],
    ] as const)
      if (m.ndim !== 2 || m.shape[0] !== n) throw new ShapeError(fn, arg, `expected ${n} rows`, m.shape);
    if (U.shape[1] !== V.shape[1])
      throw new ShapeError(fn, 'v', `expected ${U.shape[1]} columns like u`, V.shape);
    const k = U.shape[1];
    const dd = Float64Array.from(d);
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(dd[i]))
        throw new InvalidArgumentError(fn, 'd', dd[i], `finite entries (entry ${i} is not)`);
    // out = D x + P (Q^T x): two registry `gemv`s on the checked, contiguous factors
    const lowRank = (P: NDArray<'float64'>, Q: NDArray<'float64'>): Apply => {
      const t = new Float64Array(k);
      const tv = asVec(t);
      return (x, out) => {
        const xv = asVec(x);
        gemv({ alpha: 1, a: Q.T as Mat, x: xv, beta: 0, y: tv });
        for (let i = 0; i < n; i++) out[i] = dd[i] * x[i];
        gemv({ alpha: 1, a: P as Mat, x: tv, beta: 1, y: asVec(out) });
      };
    };
    super([n, n], lowRank(U, V), lowRank(V, U));
    this.d = dd;
    this.u = U;
    this.v = V;
  }

  /**
   * x = (D + U V^T)^-1 b by Woodbury.
   * @throws SingularMatrixError when D has a zero or the capacitance matrix is singular.
   */
  solve(b: Float64Array): Float64Array {
    const n = this.d.length;
    const k = this.u.shape[1];
    b = toVector('DiagonalPlusLowRank.solve', 'b', b, n);
    for (let i = 0; i < n; i++)
      if (this.d[i] === 0)
        throw new InvalidArgumentError(
          'DiagonalPlusLowRank.solve',
          'd',
          0,
          `a nonzero diagonal (entry ${i} is 0)`,
        );
    if (!this.capacitance) {
      const c = zeros([k, k]);
      for (let i = 0; i < n; i++)
        for (let p = 0; p < k; p++) {
          const vip = this.v.data[i * k + p] / this.d[i];
          for (let q = 0; q < k; q++) c.data[p * k + q] += vip * this.u.data[i * k + q];
        }
      for (let p = 0; p < k; p++) c.data[p * k + p] += 1;
      this.capacitance = luFactor(c);
    }
    const y = Float64Array.from(b, (bi, i) => bi / this.d[i]);
    const t = new Float64Array(k);
    for (let i = 0; i < n; i++) for (let p = 0; p < k; p++) t[p] += this.v.data[i * k + p] * y[i];
    const s = luSolve(this.capacitance, new NDArray(t, [k])).data as Float64Array;
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += this.u.data[i * k + p] * s[p];
      y[i] -= acc / this.d[i];
    }
    return y;
  }
}
