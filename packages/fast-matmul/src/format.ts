import { InvalidArgumentError, checkBoolean, checkInteger } from '@krylov/core-array';
import { ONE, type Rational, ZERO, add, isZero, neg, parseRational, rational, toText } from './rational.js';
import { type Scheme, SchemeError, checkBrent } from './scheme.js';

/**
 * Scheme files. Two plain formats are accepted, both checked exactly at load (`checkBrent`):
 *
 * 1. A coefficient listing, one line per product and per entry of C (the form papers and the
 *    flip-graph collections print, e.g. github.com/mkauers/matrix-multiplication and
 *    dronperminov/FastMatrixMultiplication's "multiplications"/"elements" fields):
 *
 *        # <2,2,2>:7 Strassen (1969)
 *        m1 = (a11 + a22) * (b11 + b22)
 *        m2 = (a21 + a22) * b11
 *        ...
 *        c11 = m1 + m4 - m5 + m7
 *
 *    Entries are `a12` (1-based row and column, one digit each) or `a[1,12]` / `a_1_12`;
 *    coefficients are integers or fractions before the entry (`2*a11`, `-1/2 a11`, `3/4*m5`).
 *    Every entry c_ip of C must have a line; the format <m,k,n> is read from the indices unless given.
 * 2. JSON: `{ "name", "format": [m, k, n], "u": [[...]], "v": [[...]], "w": [[...]] }` with the
 *    row-major convention of `Scheme` (coefficients as numbers or "p/q" strings), or any object with
 *    `"multiplications"` and `"elements"` arrays of listing lines (dronperminov's JSON files).
 *
 * Z2 schemes (coefficients mod 2, written with ⊕) are refused: they are not valid over the reals
 * until lifted.
 */

const FN = 'parseScheme';
const VAR = /^([abcm])(?:(\d)(\d)|\[(\d+),\s*(\d+)\]|_(\d+)_(\d+)|(\d+))$/;

interface Term {
  coef: Rational;
  kind: string;
  i: number;
  j: number;
}

function parseLinear(name: string, text: string, line: number): Term[] {
  const src = text.replace(/\s+/g, '');
  if (src === '') throw new SchemeError(FN, name, `line ${line}: empty linear form`);
  const terms: Term[] = [];
  const re = /([+-]?)((?:\d+(?:\/\d+)?)\*?)?([abcm](?:\d+|\[\d+,\d+\]|_\d+_\d+))/gy;
  let pos = 0;
  while (pos < src.length) {
    re.lastIndex = pos;
    const t = re.exec(src);
    if (!t || (pos > 0 && t[1] === ''))
      throw new SchemeError(FN, name, `line ${line}: cannot read '${src.slice(pos)}'`);
    pos = re.lastIndex;
    const mag = t[2] ? parseRational(t[2].replace('*', '')) : ONE;
    if (!mag) throw new SchemeError(FN, name, `line ${line}: bad coefficient '${t[2]}'`);
    const v = VAR.exec(t[3]);
    if (!v) throw new SchemeError(FN, name, `line ${line}: bad entry '${t[3]}'`);
    const [i, j] =
      v[1] === 'm'
        ? [Number(t[3].slice(1)), 0]
        : v[2] !== undefined
          ? [+v[2], +v[3]]
          : v[4] !== undefined
            ? [+v[4], +v[5]]
            : v[6] !== undefined
              ? [+v[6], +v[7]]
              : [+v[8], 0];
    terms.push({ coef: t[1] === '-' ? neg(mag) : mag, kind: v[1], i, j });
  }
  return terms;
}

/** Splits 'X * Y' at the top-level '*' whose left side reads only a's and right side only b's. */
function splitProduct(text: string): [string, string] | null {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '*' && depth === 0) {
      const [x, y] = [text.slice(0, i), text.slice(i + 1)];
      if (!/b/.test(x) && /a/.test(x) && /b/.test(y) && !/a/.test(y)) return [x, y];
    }
  }
  return null;
}

const stripParens = (s: string) => {
  const t = s.trim();
  return t.startsWith('(') && t.endsWith(')') ? t.slice(1, -1) : t;
};

/** Parses a listing (see above). `format` fixes <m,k,n> when the indices do not show it. */
function parseListing(name: string, text: string, format?: readonly number[], source?: string): Scheme {
  const body = text
    .split(/\r?\n/)
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n');
  if (body.includes('⊕') || body.includes('∧'))
    throw new SchemeError(FN, name, 'a Z2 scheme (⊕, ∧): lift it to integer coefficients first');
  const products: { a: Term[]; b: Term[] }[] = [];
  const outputs: { i: number; j: number; terms: Term[]; line: number }[] = [];
  let header: string | undefined;
  text.split(/\r?\n/).forEach((raw, idx) => {
    const line = idx + 1;
    const s = raw.trim();
    if (s === '') return;
    if (s.startsWith('#')) {
      header ??= s.slice(1).trim();
      return;
    }
    const eq = /^([mc])(\d+|\[\d+,\s*\d+\]|_\d+_\d+)\s*=\s*(.+)$/.exec(s);
    if (!eq) throw new SchemeError(FN, name, `line ${line}: expected 'mN = (...) * (...)' or 'cIJ = ...'`);
    if (eq[1] === 'm') {
      const index = Number(eq[2]);
      if (!Number.isInteger(index) || index !== products.length + 1)
        throw new SchemeError(FN, name, `line ${line}: products must be numbered m1, m2, ... in order`);
      const split = splitProduct(eq[3]);
      if (!split)
        throw new SchemeError(
          FN,
          name,
          `line ${line}: a product is '(linear form in a) * (linear form in b)'`,
        );
      const a = parseLinear(name, stripParens(split[0]), line);
      const b = parseLinear(name, stripParens(split[1]), line);
      if (a.some((t) => t.kind !== 'a') || b.some((t) => t.kind !== 'b'))
        throw new SchemeError(FN, name, `line ${line}: the left factor reads only a's, the right only b's`);
      products.push({ a, b });
    } else {
      const v = VAR.exec(`c${eq[2]}`);
      const [i, j] =
        v && v[2] !== undefined
          ? [+v[2], +v[3]]
          : v && v[4] !== undefined
            ? [+v[4], +v[5]]
            : v && v[6] !== undefined
              ? [+v[6], +v[7]]
              : [0, 0];
      if (i < 1 || j < 1) throw new SchemeError(FN, name, `line ${line}: bad entry 'c${eq[2]}'`);
      const terms = parseLinear(name, eq[3], line);
      if (terms.some((t) => t.kind !== 'm' || t.i < 1 || t.i > products.length))
        throw new SchemeError(
          FN,
          name,
          `line ${line}: an entry of C is a combination of m1..m${products.length}`,
        );
      outputs.push({ i, j, terms, line });
    }
  });
  if (products.length === 0) throw new SchemeError(FN, name, 'no products (lines mN = ...)');
  const maxOf = (ts: Term[], f: (t: Term) => number) => ts.reduce((x, t) => Math.max(x, f(t)), 0);
  const allA = products.flatMap((p) => p.a);
  const allB = products.flatMap((p) => p.b);
  const m =
    format?.[0] ??
    Math.max(
      maxOf(allA, (t) => t.i),
      ...outputs.map((o) => o.i),
    );
  const k =
    format?.[1] ??
    Math.max(
      maxOf(allA, (t) => t.j),
      maxOf(allB, (t) => t.i),
    );
  const n =
    format?.[2] ??
    Math.max(
      maxOf(allB, (t) => t.j),
      ...outputs.map((o) => o.j),
    );
  const r = products.length;
  const zeros = (len: number) => Array.from({ length: r }, () => new Array<Rational>(len).fill(ZERO));
  const [u, v, w] = [zeros(m * k), zeros(k * n), zeros(m * n)];
  const put = (row: Rational[], idx: number, c: Rational, what: string) => {
    if (!(idx >= 0 && idx < row.length))
      throw new SchemeError(FN, name, `${what} lies outside <${m},${k},${n}>`);
    row[idx] = add(row[idx], c);
  };
  products.forEach((p, l) => {
    for (const t of p.a) {
      if (t.i > m || t.j > k || t.i < 1 || t.j < 1)
        throw new SchemeError(FN, name, `a${t.i}${t.j} lies outside <${m},${k},${n}>`);
      put(u[l], (t.i - 1) * k + t.j - 1, t.coef, `a${t.i}${t.j}`);
    }
    for (const t of p.b) {
      if (t.i > k || t.j > n || t.i < 1 || t.j < 1)
        throw new SchemeError(FN, name, `b${t.i}${t.j} lies outside <${m},${k},${n}>`);
      put(v[l], (t.i - 1) * n + t.j - 1, t.coef, `b${t.i}${t.j}`);
    }
  });
  const seen = new Set<number>();
  for (const o of outputs) {
    if (o.i > m || o.j > n)
      throw new SchemeError(FN, name, `line ${o.line}: c${o.i}${o.j} lies outside <${m},${k},${n}>`);
    const c = (o.i - 1) * n + o.j - 1;
    if (seen.has(c)) throw new SchemeError(FN, name, `line ${o.line}: c${o.i}${o.j} is defined twice`);
    seen.add(c);
    for (const t of o.terms) w[t.i - 1][c] = add(w[t.i - 1][c], t.coef);
  }
  const title = header?.replace(/^<\s*\d+\s*,\s*\d+\s*,\s*\d+\s*>\s*:\s*\d+\s*/, '') || undefined;
  return { name, m, k, n, rank: r, u, v, w, source: source ?? title };
}

/** Options of `parseScheme`. */
export interface ParseOptions {
  /** The scheme's name in errors and reports (default: the JSON `name`, or 'scheme'). */
  name?: string;
  /** [m, k, n] when the listing's indices do not show the format. */
  format?: readonly [number, number, number];
  /** Skip the Brent check (default false): only for schemes checked already. */
  trusted?: boolean;
}

function factorRows(name: string, key: string, value: unknown, rank: number, len: number): Rational[][] {
  if (!Array.isArray(value) || value.length !== rank)
    throw new SchemeError(FN, name, `'${key}' must be an array of ${rank} rows`);
  return value.map((row, l) => {
    if (!Array.isArray(row) || row.length !== len)
      throw new SchemeError(FN, name, `'${key}[${l}]' must have ${len} coefficients`);
    return row.map((x, i) => {
      const q = parseRational(x);
      if (!q)
        throw new SchemeError(
          FN,
          name,
          `'${key}[${l}][${i}]' is ${JSON.stringify(x)}: not an integer or fraction`,
        );
      return q;
    });
  });
}

/**
 * Loads a scheme from a listing, JSON text, or a parsed JSON object (formats above), and checks
 * its Brent equations exactly. O(r (nnz per factor)^3) for the check.
 * @returns the checked `Scheme`.
 * @throws SchemeError for text it cannot read; BrentEquationError (a SchemeError) naming the first
 * failing equation; InvalidArgumentError for bad options.
 * @example
 * ```ts
 * import { parseScheme } from '@krylov/fast-matmul';
 * const s = parseScheme('m1 = a11 * b11\nc11 = m1'); // the <1,1,1>:1 scheme
 * console.assert(s.rank === 1, 'rank 1');
 * ```
 */
export function parseScheme(input: string | object, options: ParseOptions = {}): Scheme {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError(FN, 'options', options, 'an options object');
  for (const key of Object.keys(options))
    if (!['name', 'format', 'trusted'].includes(key))
      throw new InvalidArgumentError(
        FN,
        `options.${key}`,
        (options as Record<string, unknown>)[key],
        'one of the keys name, format, trusted',
      );
  if (options.format !== undefined) {
    if (!Array.isArray(options.format) || options.format.length !== 3)
      throw new InvalidArgumentError(FN, 'options.format', options.format, '[m, k, n]');
    options.format.forEach((d, i) => checkInteger(FN, `options.format[${i}]`, d, { min: 1 }));
  }
  let scheme: Scheme;
  let obj: Record<string, unknown> | null = null;
  if (typeof input === 'string') {
    const t = input.trim();
    if (t.startsWith('{')) {
      try {
        obj = JSON.parse(t) as Record<string, unknown>;
      } catch (e) {
        throw new SchemeError(FN, options.name ?? 'scheme', `invalid JSON: ${(e as Error).message}`);
      }
    } else scheme = parseListing(options.name ?? 'scheme', input, options.format);
  } else if (typeof input === 'object' && input !== null) obj = input as Record<string, unknown>;
  else throw new InvalidArgumentError(FN, 'input', input, 'scheme text or a JSON object');
  if (obj) {
    const name = options.name ?? (typeof obj.name === 'string' ? obj.name : 'scheme');
    const source = typeof obj.source === 'string' ? obj.source : undefined;
    if (Array.isArray(obj.multiplications) && Array.isArray(obj.elements)) {
      const dims = Array.isArray(obj.format) ? obj.format : Array.isArray(obj.n) ? obj.n : options.format;
      scheme = parseListing(
        name,
        [...obj.multiplications, ...obj.elements].join('\n'),
        dims as number[] | undefined,
        source,
      );
    } else {
      const f = obj.format;
      if (!Array.isArray(f) || f.length !== 3 || f.some((d) => !Number.isInteger(d) || d < 1))
        throw new SchemeError(
          FN,
          name,
          "JSON needs 'format': [m, k, n] with u, v, w (or 'multiplications' and 'elements')",
        );
      const [m, k, n] = f as number[];
      const rank = Array.isArray(obj.u) ? obj.u.length : 0;
      scheme = {
        name,
        m,
        k,
        n,
        rank,
        u: factorRows(name, 'u', obj.u, rank, m * k),
        v: factorRows(name, 'v', obj.v, rank, k * n),
        w: factorRows(name, 'w', obj.w, rank, m * n),
        source,
      };
    }
  }
  if (!checkBoolean(FN, 'options.trusted', options.trusted ?? false)) checkBrent(scheme!, FN);
  return scheme!;
}

const entry = (c: string, i: number, j: number, wide: boolean) =>
  wide ? `${c}[${i + 1},${j + 1}]` : `${c}${i + 1}${j + 1}`;

function linear(terms: [Rational, string][]): string {
  return terms
    .map(([q, v], idx) => {
      const negative = q.num < 0n;
      const mag = toText(negative ? neg(q) : q);
      const body = mag === '1' ? v : `${mag}*${v}`;
      return idx === 0 ? `${negative ? '-' : ''}${body}` : ` ${negative ? '-' : '+'} ${body}`;
    })
    .join('');
}

/** Writes a scheme as a listing that `parseScheme` reads back (inverse of format 1). */
export function toListing(s: Scheme): string {
  const wide = Math.max(s.m, s.k, s.n) > 9;
  const lines = [`# <${s.m},${s.k},${s.n}>:${s.rank} ${s.source ?? s.name}`];
  for (let l = 0; l < s.rank; l++) {
    const a = s.u[l].flatMap((q, x): [Rational, string][] =>
      isZero(q) ? [] : [[q, entry('a', Math.floor(x / s.k), x % s.k, wide)]],
    );
    const b = s.v[l].flatMap((q, x): [Rational, string][] =>
      isZero(q) ? [] : [[q, entry('b', Math.floor(x / s.n), x % s.n, wide)]],
    );
    lines.push(`m${l + 1} = (${linear(a)}) * (${linear(b)})`);
  }
  for (let c = 0; c < s.m * s.n; c++) {
    const terms = s.w.flatMap((row, l): [Rational, string][] =>
      isZero(row[c]) ? [] : [[row[c], `m${l + 1}`]],
    );
    lines.push(
      `${entry('c', Math.floor(c / s.n), c % s.n, wide)} = ${terms.length ? linear(terms) : '0*m1'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
