import { DTypeError } from './errors.js';

/**
 * The dtypes and their storage. Extend it by module augmentation plus `registerDType`:
 *
 * ```ts
 * declare module '@krylov/core-array' { interface DTypeMap { int16: Int16Array } }
 * registerDType({ name: 'int16', ctor: Int16Array, kind: 'int', rank: 15 });
 * ```
 */
export interface DTypeMap {
  float64: Float64Array;
  float32: Float32Array;
  int32: Int32Array;
  bool: Uint8Array;
}

export type DType = keyof DTypeMap & string;
export type FloatDType = 'float64' | 'float32';
export type TypedArray = DTypeMap[DType];

export interface TypedArrayConstructor<T extends TypedArray = TypedArray> {
  new (length: number): T;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

export interface DTypeInfo<D extends DType = DType> {
  readonly name: D;
  readonly ctor: TypedArrayConstructor<DTypeMap[D]>;
  readonly kind: 'float' | 'int' | 'bool';
  /** Type promotion picks the dtype of higher rank: bool < int32 < float32 < float64. */
  readonly rank: number;
}

const table = new Map<string, DTypeInfo>();

/** Adds a dtype (see `DTypeMap`). Re-registering a name replaces its entry. */
export function registerDType<D extends DType>(info: DTypeInfo<D>): void {
  table.set(info.name, info as unknown as DTypeInfo);
}

registerDType({ name: 'bool', ctor: Uint8Array, kind: 'bool', rank: 0 });
registerDType({ name: 'int32', ctor: Int32Array, kind: 'int', rank: 10 });
registerDType({ name: 'float32', ctor: Float32Array, kind: 'float', rank: 20 });
registerDType({ name: 'float64', ctor: Float64Array, kind: 'float', rank: 30 });

/** The registered information of `dtype`; throws `DTypeError` for an unknown name. */
export function dtypeInfo<D extends DType>(dtype: D, fn = 'dtypeInfo'): DTypeInfo<D> {
  const info = table.get(dtype);
  if (!info) throw new DTypeError(fn, 'dtype', String(dtype), `one of ${[...table.keys()].join(', ')}`);
  return info as unknown as DTypeInfo<D>;
}

/** The dtype whose storage is this typed array's class; throws `DTypeError` for other classes. */
export function dtypeOfTypedArray(data: ArrayBufferView, fn = 'dtypeOfTypedArray'): DType {
  for (const info of table.values()) if (data instanceof info.ctor) return info.name;
  throw new DTypeError(
    fn,
    'data',
    data.constructor.name,
    `a typed array of a registered dtype (${[...table.keys()].join(', ')})`,
  );
}

/**
 * NumPy-style promotion for binary operations: the operand dtype of higher rank.
 * @example
 * ```ts
 * import { promoteTypes } from '@krylov/core-array';
 * console.assert(promoteTypes('float32', 'float64') === 'float64' && promoteTypes('int32', 'int32') === 'int32');
 * ```
 */
export function promoteTypes(a: DType, b: DType): DType {
  return dtypeInfo(a).rank >= dtypeInfo(b).rank ? a : b;
}

/** True for float64 and float32 (and registered float dtypes). */
export function isFloatDType(dtype: DType): dtype is FloatDType {
  return dtypeInfo(dtype).kind === 'float';
}

/** The float dtype results of float math take: float32 stays float32, everything else is float64. */
export function floatResultType(dtype: DType): FloatDType {
  return dtype === 'float32' ? 'float32' : 'float64';
}
