import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  InvalidArgumentError,
  type NDArray,
  ShapeError,
  checkInteger,
  concatenate,
  fromNpy,
  isNDArray,
  toNpy,
} from '@krylov/core-array';
import { PartitionError } from './errors.js';

/** The manifest's `format` tag. */
export const MANIFEST_FORMAT = 'krylov-partitioned-dense';

/** One row block of a partitioned matrix, as jobs carry it: a reference, never the data. */
export interface PartitionRef {
  /** 0-based position of the block; rows `rowStart .. rowStart + rows - 1` of the whole matrix. */
  index: number;
  /** Absolute path of the `.npy` file (a path every worker can read: a shared or network file system). */
  path: string;
  rowStart: number;
  rows: number;
  columns: number;
}

/** The JSON manifest beside the partitions (paths relative to the manifest's folder). */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  dtype: 'float64' | 'float32';
  rows: number;
  columns: number;
  partitions: { path: string; rows: number }[];
}

/**
 * A dense matrix stored as row blocks in `.npy` files plus a small JSON manifest
 * (`manifest.json`: dtype, total rows, columns, and each block's path and row count). Workers read
 * the blocks they are sent; jobs and results carry references and small matrices only.
 */
export class PartitionedMatrix {
  readonly manifestPath: string;
  readonly dtype: 'float64' | 'float32';
  readonly rows: number;
  readonly columns: number;
  readonly partitions: readonly PartitionRef[];

  constructor(manifestPath: string, manifest: Manifest) {
    this.manifestPath = resolve(manifestPath);
    this.dtype = manifest.dtype;
    this.rows = manifest.rows;
    this.columns = manifest.columns;
    const dir = dirname(this.manifestPath);
    let rowStart = 0;
    this.partitions = manifest.partitions.map((p, index) => {
      const ref = {
        index,
        path: isAbsolute(p.path) ? p.path : join(dir, p.path),
        rowStart,
        rows: p.rows,
        columns: manifest.columns,
      };
      rowStart += p.rows;
      return ref;
    });
  }

  get shape(): [number, number] {
    return [this.rows, this.columns];
  }

  /** Reads every partition and stacks them (for small matrices and tests). @throws PartitionError */
  gather(): NDArray<'float64'> {
    const blocks = this.partitions.map((p) => readPartition('PartitionedMatrix.gather', p));
    return concatenate(blocks, 0) as NDArray<'float64'>;
  }
}

function checkManifest(fn: string, path: string, m: unknown): Manifest {
  const bad = (why: string): never => {
    throw new InvalidArgumentError(fn, 'manifest', path, `a ${MANIFEST_FORMAT} manifest (${why})`);
  };
  const o = m as Partial<Manifest>;
  if (o === null || typeof o !== 'object' || o.format !== MANIFEST_FORMAT) bad('format tag');
  if (o.version !== 1) bad('version 1');
  if (o.dtype !== 'float64' && o.dtype !== 'float32') bad("dtype 'float64' or 'float32'");
  const nonNeg = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
  if (!nonNeg(o.rows) || !nonNeg(o.columns)) bad('integer rows and columns');
  if (!Array.isArray(o.partitions) || o.partitions.length === 0) bad('a non-empty partitions list');
  let total = 0;
  for (const p of o.partitions as Manifest['partitions']) {
    if (typeof p?.path !== 'string' || !nonNeg(p.rows)) bad('each partition has a path and rows');
    total += p.rows;
  }
  if (total !== o.rows) bad(`partition rows sum to ${total}, not ${o.rows}`);
  return o as Manifest;
}

/**
 * Opens a partitioned matrix from its manifest (the partitions themselves are read by workers).
 * @throws InvalidArgumentError when the manifest is missing or malformed.
 */
export function openPartitioned(manifestPath: string): PartitionedMatrix {
  const fn = 'openPartitioned';
  let text: string;
  try {
    text = readFileSync(manifestPath, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(
      fn,
      'manifestPath',
      manifestPath,
      `a readable file (${(e as Error).message})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(fn, 'manifestPath', manifestPath, 'a JSON manifest');
  }
  return new PartitionedMatrix(manifestPath, checkManifest(fn, manifestPath, json));
}

/** Writes bytes through a temporary file and a rename, so a reader never sees half a file. */
export function writeAtomic(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

export interface WritePartitionedOptions {
  /** Number of row blocks (default 1); rows are split as evenly as possible. */
  partitions?: number;
  /** File name stem of the blocks (default 'part'): `part-0.npy`, `part-1.npy`, ... */
  prefix?: string;
}

/** Row counts of `parts` blocks as even as possible (the first `rows % parts` get one more). */
export function splitRows(rows: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(rows / parts) + (i < rows % parts ? 1 : 0));
}

/**
 * Writes a matrix as row blocks under `dir` (`part-<i>.npy` and `manifest.json`). `a` is either a
 * 2-D NDArray, or `{ rows, columns, block(index, rowStart, rows) }` that produces one block at a
 * time, so matrices larger than memory can be written block by block.
 * @throws ShapeError for a non-2-D array or a block of the wrong shape; InvalidArgumentError for a
 *   bad partition count.
 */
export function writePartitioned(
  dir: string,
  a:
    | NDArray
    | { rows: number; columns: number; block: (index: number, rowStart: number, rows: number) => NDArray },
  options: WritePartitionedOptions = {},
): PartitionedMatrix {
  const fn = 'writePartitioned';
  const parts = options.partitions ?? 1;
  checkInteger(fn, 'options.partitions', parts, { min: 1 });
  const prefix = options.prefix ?? 'part';
  const full = isNDArray(a) ? a : null;
  if (full && full.ndim !== 2) throw new ShapeError(fn, 'a', 'expected a 2-D matrix', full.shape);
  const [rows, columns] = full
    ? full.shape
    : [(a as { rows: number }).rows, (a as { columns: number }).columns];
  const dtype = full?.dtype === 'float32' ? 'float32' : 'float64';
  const counts = splitRows(rows, parts);
  const entries: Manifest['partitions'] = [];
  let start = 0;
  counts.forEach((count, i) => {
    let block = full
      ? full.slice(`${start}:${start + count}`)
      : (a as { block: (i: number, s: number, r: number) => NDArray }).block(i, start, count);
    if (block.ndim !== 2 || block.shape[0] !== count || block.shape[1] !== columns)
      throw new ShapeError(fn, `block ${i}`, `expected [${count}, ${columns}]`, block.shape);
    if (block.dtype !== dtype) block = block.astype(dtype);
    const name = `${prefix}-${i}.npy`;
    writeAtomic(join(dir, name), toNpy(block));
    entries.push({ path: name, rows: count });
    start += count;
  });
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    dtype,
    rows,
    columns,
    partitions: entries,
  };
  const manifestPath = join(dir, 'manifest.json');
  writeAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return new PartitionedMatrix(manifestPath, manifest);
}

/** Writes a manifest for blocks already on disk (workers wrote them) and returns the matrix. */
export function manifestFor(
  manifestPath: string,
  columns: number,
  refs: readonly { path: string; rows: number }[],
) {
  const rows = refs.reduce((s, r) => s + r.rows, 0);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    dtype: 'float64',
    rows,
    columns,
    partitions: refs.map((r) => ({ path: r.path, rows: r.rows })),
  };
  writeAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return new PartitionedMatrix(manifestPath, manifest);
}

/**
 * Reads one partition as float64, checking it against its reference.
 * @throws PartitionError (naming the partition and its path) when the file is missing, is not a
 *   `.npy` file, has the wrong shape or dtype, or holds non-finite entries.
 */
export function readPartition(fn: string, ref: PartitionRef): NDArray<'float64'> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(ref.path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PartitionError(
      fn,
      ref.index,
      ref.path,
      code === 'ENOENT' ? 'file not found' : (e as Error).message,
    );
  }
  let a: NDArray;
  try {
    a = fromNpy(bytes);
  } catch (e) {
    throw new PartitionError(fn, ref.index, ref.path, `not a readable .npy file (${(e as Error).message})`);
  }
  if (a.ndim !== 2 || a.shape[0] !== ref.rows || a.shape[1] !== ref.columns)
    throw new PartitionError(
      fn,
      ref.index,
      ref.path,
      `shape [${a.shape.join(', ')}] differs from the manifest's [${ref.rows}, ${ref.columns}]`,
    );
  if (a.dtype !== 'float64' && a.dtype !== 'float32')
    throw new PartitionError(fn, ref.index, ref.path, `dtype ${a.dtype}; expected float64 or float32`);
  const f = (a.dtype === 'float64' ? a.contiguous() : a.astype('float64')) as NDArray<'float64'>;
  const d = f.data;
  for (let i = 0; i < d.length; i++)
    if (!Number.isFinite(d[i]))
      throw new PartitionError(fn, ref.index, ref.path, `non-finite entry at flat index ${i}`);
  return f;
}
