import { InvalidArgumentError, ShapeError } from '@krylov/core-array';
import { type BinaryOp, type Expr, GPUArray, type UnaryOp, releaseExpr } from './array.js';

/**
 * Elementwise operations on device arrays. They are lazy: each returns a GPUArray holding an
 * expression, and a chain (`add(mul(x, 2), y)`, `sqrt(sumSquares(x))`...) runs as one fused
 * kernel when a consumer first needs the values. Operands have equal shapes, or one is a size-1
 * array or a number (broadcast). Cost: O(size) per materialization; nothing runs on the host.
 */

export type Operand = GPUArray | number;

function operandExpr(fn: string, arg: string, x: Operand): Expr {
  if (typeof x === 'number') {
    if (Number.isNaN(x)) throw new InvalidArgumentError(fn, arg, x, 'a number (not NaN) or a GPUArray');
    return { k: 'const', v: x };
  }
  if (!(x instanceof GPUArray)) throw new InvalidArgumentError(fn, arg, x, 'a GPUArray or a number');
  return x.exprRef(fn);
}

function resultShape(fn: string, a: Operand, b: Operand): readonly number[] {
  const sa = typeof a === 'number' ? null : a.shape;
  const sb = typeof b === 'number' ? null : b.shape;
  if (!sa) return sb ?? [];
  if (!sb) return sa;
  const na = sa.reduce((p, d) => p * d, 1);
  const nb = sb.reduce((p, d) => p * d, 1);
  if (nb === 1 && na !== 1) return sa;
  if (na === 1 && nb !== 1) return sb;
  if (sa.length !== sb.length || sa.some((d, i) => d !== sb[i]))
    throw new ShapeError(
      fn,
      'b',
      `does not match a's shape ${JSON.stringify(sa)} (only size-1 operands broadcast)`,
      sb,
    );
  return sa;
}

function binary(fn: string, op: BinaryOp, a: Operand, b: Operand): GPUArray {
  if (typeof a === 'number' && typeof b === 'number')
    throw new InvalidArgumentError(fn, 'a', a, 'at least one GPUArray operand');
  const shape = resultShape(fn, a, b);
  const ea = operandExpr(fn, 'a', a);
  let eb: Expr;
  try {
    eb = operandExpr(fn, 'b', b);
  } catch (e) {
    releaseExpr(ea);
    throw e;
  }
  return new GPUArray(shape, null, { k: 'bin', op, a: ea, b: eb });
}

function unary(fn: string, op: UnaryOp, a: GPUArray): GPUArray {
  const e = operandExpr(fn, 'x', a);
  return new GPUArray(a.shape, null, { k: 'un', op, a: e });
}

/** a + b (lazy, fused). @throws ShapeError for unequal shapes that do not broadcast. */
export const add = (a: Operand, b: Operand): GPUArray => binary('add', 'add', a, b);
/** a - b (lazy, fused). @throws ShapeError for unequal shapes that do not broadcast. */
export const sub = (a: Operand, b: Operand): GPUArray => binary('sub', 'sub', a, b);
/** a * b elementwise (lazy, fused). @throws ShapeError for unequal shapes that do not broadcast. */
export const mul = (a: Operand, b: Operand): GPUArray => binary('mul', 'mul', a, b);
/** a / b elementwise (lazy, fused). @throws ShapeError for unequal shapes that do not broadcast. */
export const div = (a: Operand, b: Operand): GPUArray => binary('div', 'div', a, b);
/** max(a, b) elementwise (lazy, fused). */
export const maximum = (a: Operand, b: Operand): GPUArray => binary('maximum', 'max', a, b);
/** min(a, b) elementwise (lazy, fused). */
export const minimum = (a: Operand, b: Operand): GPUArray => binary('minimum', 'min', a, b);
/** a ** b elementwise (WGSL `pow`: undefined for a < 0). */
export const pow = (a: Operand, b: Operand): GPUArray => binary('pow', 'pow', a, b);
/** -x (lazy, fused). */
export const neg = (x: GPUArray): GPUArray => unary('neg', 'neg', x);
/** |x| (lazy, fused). */
export const abs = (x: GPUArray): GPUArray => unary('abs', 'abs', x);
/** sqrt(x) (lazy, fused). */
export const sqrt = (x: GPUArray): GPUArray => unary('sqrt', 'sqrt', x);
/** exp(x) (lazy, fused). */
export const exp = (x: GPUArray): GPUArray => unary('exp', 'exp', x);
/** log(x) (lazy, fused). */
export const log = (x: GPUArray): GPUArray => unary('log', 'log', x);
/** tanh(x) (lazy, fused). */
export const tanh = (x: GPUArray): GPUArray => unary('tanh', 'tanh', x);
/** max(x, 0) (lazy, fused). */
export const relu = (x: GPUArray): GPUArray => unary('relu', 'relu', x);
/** sign(x) in {-1, 0, 1} (lazy, fused). */
export const sign = (x: GPUArray): GPUArray => unary('sign', 'sign', x);
/** 1 / x (lazy, fused). */
export const reciprocal = (x: GPUArray): GPUArray => unary('reciprocal', 'recip', x);

/** alpha x + beta y, the fused axpby (alpha, beta numbers or size-1 device arrays). */
export function axpby(alpha: Operand, x: GPUArray, beta: Operand, y: GPUArray): GPUArray {
  return add(mul(x, alpha), mul(y, beta));
}
