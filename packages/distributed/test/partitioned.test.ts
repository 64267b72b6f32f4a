import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, ShapeError, fromNpy, rng } from '@krylov/core-array';
import { afterAll, describe, expect, it } from 'vitest';
import { decode, encode } from '../src/codec.js';
import { PartitionError, openPartitioned, splitRows, writePartitioned } from '../src/index.js';
import { runReduce } from '../src/tasks.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('dist-parts');
afterAll(() => tmp.remove());

describe('partitioned matrices', () => {
  it('writes .npy row blocks and a manifest, and reads them back exactly', () => {
    const a = rng(1).normal([10, 3]);
    const p = writePartitioned(`${tmp.dir}/a`, a, { partitions: 3 });
    expect(p.partitions.map((x) => [x.rows, x.rowStart])).toEqual([
      [4, 0],
      [3, 4],
      [3, 7],
    ]);
    const manifest = JSON.parse(readFileSync(`${tmp.dir}/a/manifest.json`, 'utf8'));
    expect(manifest).toMatchObject({
      format: 'krylov-partitioned-dense',
      version: 1,
      dtype: 'float64',
      rows: 10,
      columns: 3,
    });
    expect(manifest.partitions[0]).toEqual({ path: 'part-0.npy', rows: 4 });
    // each block is a NumPy-readable .npy file
    expect(fromNpy(new Uint8Array(readFileSync(p.partitions[1].path))).shape).toEqual([3, 3]);
    const back = openPartitioned(`${tmp.dir}/a/manifest.json`).gather();
    expect(Array.from(back.data)).toEqual(Array.from(a.data));
  });

  it('writes block by block from a generator, and more partitions than rows', () => {
    const p = writePartitioned(
      `${tmp.dir}/gen`,
      { rows: 2, columns: 2, block: (i, _start, rows) => rng(i).normal([rows, 2]) },
      { partitions: 3 },
    );
    expect(splitRows(2, 3)).toEqual([1, 1, 0]);
    expect(p.gather().shape).toEqual([2, 2]);
    expect(() =>
      writePartitioned(
        `${tmp.dir}/bad`,
        { rows: 4, columns: 2, block: () => rng(0).normal([1, 2]) },
        { partitions: 2 },
      ),
    ).toThrow(ShapeError);
  });

  it('rejects malformed manifests and bad arguments with typed errors', () => {
    writeFileSync(
      `${tmp.dir}/m.json`,
      JSON.stringify({
        format: 'krylov-partitioned-dense',
        version: 1,
        dtype: 'float64',
        rows: 5,
        columns: 2,
        partitions: [{ path: 'x.npy', rows: 4 }],
      }),
    );
    expect(() => openPartitioned(`${tmp.dir}/m.json`)).toThrow(/partition rows sum to 4, not 5/);
    expect(() => openPartitioned(`${tmp.dir}/none.json`)).toThrow(InvalidArgumentError);
    expect(() => writePartitioned(`${tmp.dir}/x`, rng(0).normal([3]), {})).toThrow(ShapeError);
    expect(() => writePartitioned(`${tmp.dir}/x`, rng(0).normal([3, 2]), { partitions: 0 })).toThrow(
      InvalidArgumentError,
    );
  });

  it('a missing or corrupt partition is a PartitionError naming it', () => {
    const p = writePartitioned(`${tmp.dir}/c`, rng(2).normal([6, 2]), { partitions: 2 });
    writeFileSync(p.partitions[1].path, new Uint8Array([1, 2, 3]));
    const err = (() => {
      try {
        p.gather();
      } catch (e) {
        return e as PartitionError;
      }
    })();
    expect(err).toBeInstanceOf(PartitionError);
    expect(err?.partition).toBe(1);
    expect(err?.message).toMatch(
      /^PartitionedMatrix\.gather: partition 1 \(.*part-1\.npy\): not a readable \.npy file/,
    );
  });

  it('codec round-trips float64 bits exactly', () => {
    const a = rng(3).normal([3, 4]);
    a.data[0] = 1e-310;
    expect(Array.from(decode(encode(a)).data)).toEqual(Array.from(a.data));
  });

  it('a reduce counts each partition once and refuses gaps or repeats', () => {
    const one = (p: number) => ({ partitions: [p], rows: 1, sum: encode(rng(p).normal([2, 2])) });
    const fn = 'test';
    expect(runReduce({ fn, mode: 'sum', expect: [0, 1] }, [one(1), one(0)]).partitions).toEqual([0, 1]);
    expect(() => runReduce({ fn, mode: 'sum', expect: [0, 1] }, [one(0), one(0)])).toThrow(/reported twice/);
    expect(() => runReduce({ fn, mode: 'sum', expect: [0, 1, 2] }, [one(0), one(1)])).toThrow(
      /expected \[0,1,2\]/,
    );
  });
});
