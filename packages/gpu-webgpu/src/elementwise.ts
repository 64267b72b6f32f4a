import { InvalidArgumentError, ShapeError } from '@krylov/core-array';
import {
  type BinaryOp,
  type Expr,
  GPUArray,
  type UnaryOp,
  checkFloat32,
  checkGPUArray,
  releaseExpr,
} from './array.js';

/**
 * Elementwise operations on device arrays. They are lazy: each returns a GPUArray holding an
 * expression, and a chain (`add(mul(x, 2), y)`, `sqrt(sumSquares(x))`...) runs as one fused
 * kernel when a consumer first needs the values. Operands have equal shapes, or one is a size-1
 * array or a number (broadcast). Cost: O(size) per materialization; nothing runs on the host.
 * Every operation returns a new array (there is no `out`): no result can alias an input.
 * Errors: InvalidArgumentError naming the argument for a non-array, a disposed array, an array of
 * a released device, a NaN constant or a finite constant beyond float32's range (it would become
 * Infinity); ShapeError for shapes that do not broadcast.
 */

export type Operand = GPUArray | number;

/**
 * Checks an operand: a live GPUArray of the current device, or a number that float32 holds (NaN
 * refused; +-Infinity allowed; a finite number beyond float32's range, which would become Infinity
 * on the device, refused).
 */
function checkOperand(fn: string, arg: string, x: unknown): Operand {
  if (typeof x === 'number') {
    if (Number.isNaN(x)) throw new InvalidArgumentError(fn, arg, x, 'a number (not NaN) or a GPUArray');
    return checkFloat32(fn, arg, x, true);
  }
  return checkGPUArray(fn, arg, x, 'a GPUArray or a number');
}

function operandExpr(fn: string, arg: string, x: Operand): Expr {
  return typeof x === 'number' ? { k: 'const', v: x } : x.exprRef(fn, arg);
}

function resultShape(fn: string, names: [string, string], a: Operand, b: Operand): readonly number[] {
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
      names[1],
      `does not match ${names[0]}'s shape ${JSON.stringify(sa)} (only size-1 operands broadcast)`,
      sb,
    );
  return sa;
}

function binary(
  fn: string,
  op: BinaryOp,
  a: Operand,
  b: Operand,
  names: [string, string] = ['a', 'b'],
): GPUArray {
  checkOperand(fn, names[0], a);
  checkOperand(fn, names[1], b);
  if (typeof a === 'number' && typeof b === 'number')
    throw new InvalidArgumentError(fn, names[0], a, 'at least one GPUArray operand');
  const shape = resultShape(fn, names, a, b);
  const ea = operandExpr(fn, names[0], a);
  let eb: Expr;
  try {
    eb = operandExpr(fn, names[1], b);
  } catch (e) {
    releaseExpr(ea);
    throw e;
  }
  return new GPUArray(shape, null, { k: 'bin', op, a: ea, b: eb });
}

function unary(fn: string, op: UnaryOp, a: GPUArray): GPUArray {
  checkGPUArray(fn, 'x', a);
  return new GPUArray(a.shape, null, { k: 'un', op, a: operandExpr(fn, 'x', a) });
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

/**
 * alpha x + beta y, the fused axpby (alpha, beta numbers or size-1 device arrays).
 * @throws InvalidArgumentError naming alpha, x, beta or y for a bad operand; ShapeError when x and
 * y do not match.
 */
export function axpby(alpha: Operand, x: GPUArray, beta: Operand, y: GPUArray): GPUArray {
  const fn = 'axpby';
  checkGPUArray(fn, 'x', x);
  checkGPUArray(fn, 'y', y);
  resultShape(fn, ['x', 'y'], x, y);
  for (const [arg, s] of [
    ['alpha', alpha],
    ['beta', beta],
  ] as const) {
    checkOperand(fn, arg, s);
    if (typeof s !== 'number' && s.size !== 1)
      throw new ShapeError(fn, arg, 'must be a number or a size-1 GPUArray', s.shape);
  }
  const ax = binary(fn, 'mul', x, alpha, ['x', 'alpha']);
  const by = binary(fn, 'mul', y, beta, ['y', 'beta']);
  const r = binary(fn, 'add', ax, by);
  ax.dispose();
  by.dispose();
  return r;
}
