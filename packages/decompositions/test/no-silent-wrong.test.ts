import {
  DTypeError,
  InvalidArgumentError,
  type Mat,
  type NDArray,
  NotPositiveDefiniteError,
  ShapeError,
  array,
  matmul,
  rng,
  stack,
  zeros,
} from '@krylov/core-array';
import { describe, expect, it } from 'vitest';
import {
  affineInvariantDistance,
  batched,
  buresWassersteinDistance,
  cholesky,
  cond,
  eigh,
  funm,
  inverseRoot,
  ldl,
  lstsq,
  luFactor,
  luSolve,
  matrixNorm,
  matrixRank,
  newtonSchulz,
  nullSpace,
  pinv,
  pivotedCholesky,
  polar,
  qr,
  solve,
  solveBanded,
  spdBarycenter,
  spdGeodesic,
  spdPower,
  svd,
} from '../src/index.js';
import { gesdd, getrf, getrs, orgqr, ormqr, potrf, syevr, trtrs } from '../src/kernels.js';

// Regression tests for issue #27 ("No silent wrong answers"), decompositions part.
const m = (rows: number[][]) => array(rows) as NDArray<'float64'>;
const a3 = m([
  [4, -2, 1],
  [3, 6, -4],
  [2, 1, 8],
]);
const spd3 = m([
  [4, 1, 0.5],
  [1, 3, 0.2],
  [0.5, 0.2, 2],
]);
/** spd3 with its upper triangle spoiled: the lower triangle is still spd3's. */
const skewed = m([
  [4, 9, -7],
  [1, 3, 5],
  [0.5, 0.2, 2],
]);
const close = (x: number, y: number, tol = 1e-12) =>
  expect(Math.abs(x - y)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(y)));

describe('matrixNorm takes NumPy matrix orders and refuses others (#27.1)', () => {
  it('agrees with numpy.linalg.norm on every 2-D order', () => {
    const expected: [Parameters<typeof matrixNorm>[1], number][] = [
      ['fro', 12.288205727444508],
      ['nuc', 20.29220171252416],
      [1, 13],
      [-1, 9],
      [2, 9.385549506960283],
      [-2, 4.1429961279603535],
      [Number.POSITIVE_INFINITY, 13],
      [Number.NEGATIVE_INFINITY, 7],
    ];
    for (const [ord, value] of expected) close(matrixNorm(a3, ord), value);
    close(matrixNorm(a3), 12.288205727444508);
  });
  it('refuses an order that does not exist, or a stack', () => {
    for (const ord of [3, 0, 'inf', '2', Number.NaN, null])
      expect(() => matrixNorm(a3, ord as 2)).toThrow(InvalidArgumentError);
    expect(() => matrixNorm(a3, 3 as 2)).toThrow("matrixNorm: argument 'ord' is 3");
    expect(() => matrixNorm(zeros([2, 3, 3]), 2)).toThrow(ShapeError);
  });
});

describe('cond: Infinity for a singular matrix, NumPy orders (#27.2)', () => {
  it('agrees with numpy.linalg.cond', () => {
    close(cond(a3), 2.2654014672180978, 1e-12);
    const expected: [Parameters<typeof cond>[1], number][] = [
      ['fro', 3.716478651072783],
      ['nuc', 10.060204288224469],
      [1, 4.596958174904943],
      [-1, 1.7452471482889738],
      [2, 2.2654014672180978],
      [-2, 0.4414228623361824],
      [Number.POSITIVE_INFINITY, 4.003802281368822],
      [Number.NEGATIVE_INFINITY, 1.2509505703422055],
    ];
    for (const [p, value] of expected) close(cond(a3, p), value, 1e-12);
  });
  it('is Infinity (never NaN) for singular matrices, the zero matrix included', () => {
    expect(cond(zeros([3, 3]))).toBe(Number.POSITIVE_INFINITY);
    expect(cond(zeros([2, 3]))).toBe(Number.POSITIVE_INFINITY);
    expect(
      cond(
        m([
          [1, 0],
          [0, 0],
        ]),
      ),
    ).toBe(Number.POSITIVE_INFINITY);
    expect(
      cond(
        m([
          [1, 0],
          [0, 0],
        ]),
        -2,
      ),
    ).toBe(0);
    const singular = m([
      [1, 2],
      [2, 4],
    ]);
    for (const p of [1, -1, Number.POSITIVE_INFINITY, 'fro', 'nuc'] as const)
      expect(cond(singular, p)).toBe(Number.POSITIVE_INFINITY);
    expect(cond(zeros([3, 3]), 'fro')).toBe(Number.POSITIVE_INFINITY);
  });
  it('refuses unknown orders, non-square input for p other than +-2, empty matrices and stacks', () => {
    expect(() => cond(a3, 3 as 2)).toThrow(InvalidArgumentError);
    expect(() => cond(a3, 'nuclear' as 'nuc')).toThrow('cond: argument \'p\' is "nuclear"');
    expect(() => cond(zeros([2, 3]), 1)).toThrow(ShapeError);
    expect(() => cond(zeros([0, 0]))).toThrow(ShapeError);
    expect(() => cond(zeros([2, 3, 3]))).toThrow(ShapeError);
  });
});

describe('functions that assume a symmetric matrix check it unless checkSymmetry: false (#27.3)', () => {
  it('cholesky refuses a non-symmetric matrix; checkSymmetry: false reads the lower triangle', () => {
    expect(() => cholesky(skewed)).toThrow(InvalidArgumentError);
    expect(() => cholesky(skewed)).toThrow("cholesky: argument 'a' is \"a matrix with relative asymmetry");
    const l = cholesky(skewed, { checkSymmetry: false });
    expect(l.toFlatArray()).toEqual(cholesky(spd3).toFlatArray());
    // rounding-level asymmetry is accepted
    const tiny = spd3.copy() as NDArray<'float64'>;
    tiny.data[1] += 1e-14;
    expect(() => cholesky(tiny)).not.toThrow();
    expect(() => cholesky(spd3, { checkSymmetry: 'no' as unknown as boolean })).toThrow(
      'cholesky: argument \'options.checkSymmetry\' is "no"; expected true or false',
    );
  });
  it("solve with assume 'positive definite' or 'symmetric' refuses a non-symmetric matrix", () => {
    const b = m([[1], [2], [3]]);
    for (const assume of ['positive definite', 'symmetric'] as const) {
      expect(() => solve(skewed, b, { assume })).toThrow(InvalidArgumentError);
      expect(() => solve(skewed, b, { assume })).toThrow("solve: argument 'a'");
    }
    const x = solve(skewed, b, { assume: 'positive definite', checkSymmetry: false });
    const y = solve(spd3, b, { assume: 'positive definite' });
    expect(x.toFlatArray()).toEqual(y.toFlatArray());
    expect(() => solve(skewed, b)).not.toThrow();
  });
  it('ldl, eigh, funm, spdPower, inverseRoot and the SPD geometry functions check symmetry too', () => {
    const calls: [string, () => unknown][] = [
      ['ldl', () => ldl(skewed)],
      ['eigh', () => eigh(skewed)],
      ['eigh', () => eigh(skewed, { vectors: false })],
      ['funm', () => funm(skewed, Math.exp)],
      ['spdPower', () => spdPower(skewed, 0.5)],
      ['inverseRoot', () => inverseRoot(skewed, 2)],
      ['inverseRoot', () => inverseRoot(skewed, 2, { method: 'newton' })],
      ['spdGeodesic', () => spdGeodesic(skewed, spd3, 0.5)],
      ['spdGeodesic', () => spdGeodesic(spd3, skewed, 0.5, { metric: 'bures-wasserstein' })],
      ['affineInvariantDistance', () => affineInvariantDistance(spd3, skewed)],
      ['buresWassersteinDistance', () => buresWassersteinDistance(skewed, spd3)],
      ['spdBarycenter', () => spdBarycenter([spd3, skewed])],
      ['pivotedCholesky', () => pivotedCholesky(skewed)],
    ];
    for (const [fn, call] of calls) {
      expect(call).toThrow(InvalidArgumentError);
      expect(call).toThrow(`${fn}: argument`);
    }
    // with checkSymmetry: false each reads the lower triangle, i.e. gives spd3's answer
    const same = (x: NDArray, y: NDArray) => {
      const dx = x.toFlatArray() as number[];
      const dy = y.toFlatArray() as number[];
      for (let i = 0; i < dx.length; i++) close(dx[i], dy[i], 1e-12);
    };
    const off = { checkSymmetry: false };
    same(eigh(skewed, off).values, eigh(spd3).values);
    same(funm(skewed, Math.sqrt, off), funm(spd3, Math.sqrt));
    same(spdPower(skewed, -0.5, off), spdPower(spd3, -0.5));
    same(inverseRoot(skewed, 4, off).root, inverseRoot(spd3, 4).root);
    same(ldl(skewed, off).d, ldl(spd3).d);
    same(pivotedCholesky(skewed, off).l, pivotedCholesky(spd3).l);
    same(spdGeodesic(skewed, spd3, 0.3, off), spdGeodesic(spd3, spd3, 0.3));
    close(affineInvariantDistance(skewed, spd3, off), 0, 1e-12);
    close(buresWassersteinDistance(skewed, spd3, off), 0, 1e-6);
  });
  it('pivotedCholesky refuses an indefinite matrix instead of returning a truncated factor', () => {
    expect(() =>
      pivotedCholesky(
        m([
          [1, 2],
          [2, 1],
        ]),
      ),
    ).toThrow(NotPositiveDefiniteError);
    expect(() =>
      pivotedCholesky(
        m([
          [1, 0, 0],
          [0, 0, 5],
          [0, 5, 0],
        ]),
      ),
    ).toThrow(NotPositiveDefiniteError);
    expect(() =>
      pivotedCholesky(
        m([
          [-1, 0],
          [0, -2],
        ]),
      ),
    ).toThrow(NotPositiveDefiniteError);
    // positive semidefinite and rank deficient: still a factor with the numerical rank
    for (let seed = 0; seed < 20; seed++) {
      const g = rng(seed).normal([12, 1 + (seed % 6)]);
      const psd = matmul(g, g.T) as NDArray<'float64'>;
      for (let i = 0; i < 12; i++) for (let j = 0; j < i; j++) psd.data[j * 12 + i] = psd.data[i * 12 + j];
      expect(pivotedCholesky(psd).rank).toBe(1 + (seed % 6));
    }
    expect(pivotedCholesky(zeros([3, 3])).rank).toBe(0);
  });
});

describe('parameters are validated at the boundary (#27.4)', () => {
  const b = m([[1], [2], [3]]);
  const bad: [string, () => unknown][] = [
    [
      'eigh: argument \'options.vectors\' is "yes"',
      () => eigh(spd3, { vectors: 'yes' as unknown as boolean }),
    ],
    ["eigh: argument 'options.range'", () => eigh(spd3, { range: [0, 5] })],
    ["eigh: argument 'options.range'", () => eigh(spd3, { range: 1 as unknown as [number, number] })],
    [
      'cholesky: argument \'options.lower\' is "false"',
      () => cholesky(spd3, { lower: 'false' as unknown as boolean }),
    ],
    ["qr: argument 'options.pivoting' is 1", () => qr(a3, { pivoting: 1 as unknown as boolean })],
    ["qr: argument 'options.mode'", () => qr(a3, { mode: 'economic' as 'r' })],
    ["svd: argument 'options.mode'", () => svd(a3, { mode: 'economy' as 'thin' })],
    ['solve: argument \'options.assume\' is "spd"', () => solve(a3, b, { assume: 'spd' as 'general' })],
    [
      'solve: argument \'options.lower\' is "yes"',
      () => solve(a3, b, { assume: 'triangular', lower: 'yes' as unknown as boolean }),
    ],
    ["lstsq: argument 'options.rcond' is NaN", () => lstsq(a3, b, { rcond: Number.NaN })],
    ["lstsq: argument 'options.rcond' is -1", () => lstsq(a3, b, { rcond: -1 })],
    ["lstsq: argument 'options.rcond' is 0.1", () => lstsq(a3, b, { driver: 'qr', rcond: 0.1 })],
    ["lstsq: argument 'options.driver'", () => lstsq(a3, b, { driver: 'gelsy' as 'qr' })],
    ["matrixRank: argument 'options.tol' is -1", () => matrixRank(a3, { tol: -1 })],
    ["matrixRank: argument 'options.tol' is NaN", () => matrixRank(a3, { tol: Number.NaN })],
    ["matrixRank: argument 'a'", () => matrixRank(zeros([2, 3, 3]))],
    ["pinv: argument 'options.rcond' is NaN", () => pinv(a3, { rcond: Number.NaN })],
    [
      "nullSpace: argument 'options.rcond' is Infinity",
      () => nullSpace(a3, { rcond: Number.POSITIVE_INFINITY }),
    ],
    ["pivotedCholesky: argument 'options.tol' is NaN", () => pivotedCholesky(spd3, { tol: Number.NaN })],
    ["newtonSchulz: argument 'options.steps' is 1.5", () => newtonSchulz(a3, { steps: 1.5 })],
    ["newtonSchulz: argument 'options.epsilon' is -1", () => newtonSchulz(a3, { epsilon: -1 })],
    [
      'newtonSchulz: argument \'options.preset\' is "toString"',
      () => newtonSchulz(a3, { preset: 'toString' as 'muon' }),
    ],
    ["newtonSchulz: argument 'options.preset'", () => newtonSchulz(a3, { preset: [1, Number.NaN, 0] })],
    ["newtonSchulz: argument 'g'", () => newtonSchulz(m([[1, Number.NaN]]))],
    [
      'spdGeodesic: argument \'options.metric\' is "euclidean"',
      () => spdGeodesic(spd3, spd3, 0.5, { metric: 'euclidean' as 'affine-invariant' }),
    ],
    ["spdGeodesic: argument 't' is NaN", () => spdGeodesic(spd3, spd3, Number.NaN)],
    [
      "spdGeodesic: argument 'b'",
      () =>
        spdGeodesic(
          spd3,
          m([
            [1, 0],
            [0, 1],
          ]),
          0.5,
        ),
    ],
    [
      "spdBarycenter: argument 'options.weights'",
      () => spdBarycenter([spd3, spd3], { weights: [1, Number.NaN] }),
    ],
    ["spdBarycenter: argument 'options.maxIter' is 0", () => spdBarycenter([spd3], { maxIter: 0 })],
    [
      "spdBarycenter: argument 'options.metric'",
      () => spdBarycenter([spd3], { metric: 'log-euclidean' as 'affine-invariant' }),
    ],
    ["spdBarycenter: argument 'matrices[1]'", () => spdBarycenter([spd3, m([[1]])])],
    [
      'inverseRoot: argument \'options.method\' is "qr"',
      () => inverseRoot(spd3, 2, { method: 'qr' as 'eigh' }),
    ],
    ["inverseRoot: argument 'options.epsilon' is NaN", () => inverseRoot(spd3, 2, { epsilon: Number.NaN })],
    [
      "inverseRoot: argument 'options.maxIter' is 2.5",
      () => inverseRoot(spd3, 2, { method: 'newton', maxIter: 2.5 }),
    ],
    ['inverseRoot: argument \'p\' is "2"', () => inverseRoot(spd3, '2' as unknown as number)],
    ["spdPower: argument 'options.floor' is NaN", () => spdPower(spd3, 0.5, { floor: Number.NaN })],
    ['spdPower: argument \'p\' is "0.5"', () => spdPower(spd3, '0.5' as unknown as number)],
    ["funm: argument 'f'", () => funm(spd3, 'exp' as unknown as (x: number) => number)],
    ["polar: argument 'options.side'", () => polar(a3, { side: 'up' as 'left' })],
    ["solveBanded: argument 'bands[0]' is 1.5", () => solveBanded([1.5, 0], zeros([2, 3]), b)],
    [
      'luSolve: argument \'options.transpose\' is "yes"',
      () => luSolve(luFactor(a3), b, { transpose: 'yes' as unknown as boolean }),
    ],
    ["luSolve: argument 'b'", () => luSolve(luFactor(a3), m([[1], [2]]))],
    ["luSolve: argument 'b'", () => luSolve(luFactor(a3), m([[1], [Number.NaN], [2]]))],
    ["luSolve: argument 'factor.ipiv'", () => luSolve({ lu: a3, ipiv: new Int32Array([0, 7, 2]) }, b)],
    ["luSolve: argument 'factor.lu'", () => luSolve(luFactor(zeros([2, 3])), b)],
    ["cholesky: argument 'a'", () => cholesky([[1]] as unknown as NDArray)],
  ];
  for (const [message, call] of bad)
    it(message, () => {
      expect(call).toThrow(message);
    });
});

describe('the exported kernel dispatchers validate their operands (#27.5)', () => {
  it('refuses wrong shapes, dtypes, indices and flags with typed errors', () => {
    expect(() => potrf({ a: zeros([2, 3]) as Mat })).toThrow(ShapeError);
    expect(() => potrf({ a: zeros([2, 3]) as Mat })).toThrow("potrf: argument 'a'");
    expect(() => getrf({ a: zeros([3, 3], { dtype: 'int32' }) as unknown as Mat })).toThrow(DTypeError);
    const lu = a3.copy() as Mat;
    const { ipiv } = getrf({ a: lu });
    expect(() =>
      getrs({ lu, ipiv: new Int32Array([0, 9, 2]), b: zeros([3, 1]) as Mat, transpose: false }),
    ).toThrow("getrs: argument 'ipiv'");
    expect(() => getrs({ lu, ipiv, b: zeros([2, 1]) as Mat, transpose: false })).toThrow(ShapeError);
    expect(() => getrs({ lu, ipiv, b: zeros([3, 1]) as Mat, transpose: 'no' as unknown as boolean })).toThrow(
      "getrs: argument 'transpose'",
    );
    expect(() => syevr({ a: spd3 as Mat, vectors: true, il: 2, iu: 3 })).toThrow("syevr: argument 'iu' is 3");
    expect(() => gesdd({ a: a3.copy() as Mat, job: 'some' as 'thin' })).toThrow("gesdd: argument 'job'");
    expect(() =>
      trtrs({
        a: a3 as Mat,
        b: zeros([3, 1]) as Mat,
        lower: 1 as unknown as boolean,
        transpose: false,
        unitDiag: false,
      }),
    ).toThrow("trtrs: argument 'lower'");
    expect(() =>
      ormqr({
        a: a3 as Mat,
        tau: zeros([3]) as NDArray<'float64'> as never,
        c: zeros([3, 2]) as Mat,
        side: 'top' as 'left',
        transpose: false,
      }),
    ).toThrow("ormqr: argument 'side'");
    expect(() => orgqr({ a: zeros([2, 3]) as Mat, tau: zeros([2]) as never })).toThrow(ShapeError);
    // valid calls still dispatch, sync and async
    expect(potrf({ a: spd3.copy() as Mat })).toBe(0);
    return expect(potrf.async({ a: zeros([2, 3]) as Mat })).rejects.toThrow(ShapeError);
  });
});

describe('batched refuses results that cannot be stacked', () => {
  it('rank-dependent results of a stack are a ShapeError, not overlapped data', () => {
    const full = spd3;
    const rank1 = m([
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(() =>
      batched(ldl)(
        stack([
          full,
          m([
            [0, 1, 0],
            [1, 0, 0],
            [0, 0, 1],
          ]),
        ]),
      ),
    ).toThrow(ShapeError);
    expect(() => batched(pivotedCholesky)(stack([full, rank1]))).toThrow(ShapeError);
    expect(batched(pivotedCholesky)(stack([full, full])).rank.toFlatArray()).toEqual([3, 3]);
    expect(() => batched('det' as unknown as () => number)).toThrow("batched: argument 'fn'");
  });
});
