/**
 * Common-subexpression elimination of a scheme's additions. The three sides of a scheme are
 * linear maps: the left factors of the products are linear forms in the blocks of A (rows of U),
 * the right factors forms in the blocks of B (rows of V), and the blocks of C forms in the
 * products (columns of W). Evaluated term by term they cost sum (nonzeros - 1) block additions.
 * The greedy pairing used here (the classical heuristic for linear straight-line programs; see
 * Bodrato 2010 and Mårtensson & Stankovski Wagner 2024 for optimal and search-based versions)
 * repeatedly finds the pair of terms c_x x + c_y y that occurs, up to a common factor, in the most
 * forms, computes it once as a temporary t = x + (c_y/c_x) y, and substitutes c_x t. It stops when
 * no pair occurs twice. On Strassen-Winograd's term-by-term 24 additions it finds the textbook 15.
 */

/** A linear form: (operand index, coefficient) pairs, coefficient != 0. */
export type Form = [number, number][];

/** A straight-line program over `inputs` operands: temporaries, then the requested forms. */
export interface LinearProgram {
  /** Number of input operands; temporary t is operand `inputs + t`. */
  inputs: number;
  /** temps[t] = a form over inputs and earlier temps (two terms each). */
  temps: Form[];
  /** The requested forms over inputs and temps. */
  outputs: Form[];
}

/** Additions (each binary + or -) a program performs: sum over its forms of (terms - 1). */
export function programAdditions(p: LinearProgram): number {
  return [...p.temps, ...p.outputs].reduce((s, f) => s + Math.max(0, f.length - 1), 0);
}

const ratioKey = (r: number) => (Number.isInteger(r) ? String(r) : r.toPrecision(15));

/**
 * Builds the program for `forms` (each a list of (operand, coefficient) pairs over `inputs`
 * operands); with `cse: false` the forms are evaluated term by term. O(F T^2) per step for F forms
 * of T terms, at most (total terms) steps; schemes have a few dozen forms, so compilation is cheap.
 */
export function compileForms(inputs: number, forms: Form[], cse = true): LinearProgram {
  const outputs = forms.map((f) => f.filter(([, c]) => c !== 0).map(([x, c]): [number, number] => [x, c]));
  const temps: Form[] = [];
  while (cse) {
    const counts = new Map<string, { x: number; y: number; r: number; n: number }>();
    for (const f of outputs) {
      const seen = new Set<string>();
      for (let i = 0; i < f.length; i++)
        for (let j = 0; j < f.length; j++) {
          if (i === j) continue;
          const [[x, cx], [y, cy]] = [f[i], f[j]];
          if (x > y) continue;
          const r = cy / cx;
          const key = `${x},${y},${ratioKey(r)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const e = counts.get(key);
          if (e) e.n++;
          else counts.set(key, { x, y, r, n: 1 });
        }
    }
    let best: { x: number; y: number; r: number; n: number } | undefined;
    for (const e of counts.values())
      if (!best || e.n > best.n || (e.n === best.n && (e.x < best.x || (e.x === best.x && e.y < best.y))))
        best = e;
    if (!best || best.n < 2) break;
    const t = inputs + temps.length;
    temps.push([
      [best.x, 1],
      [best.y, best.r],
    ]);
    for (let fi = 0; fi < outputs.length; fi++) {
      const f = outputs[fi];
      const ix = f.findIndex(([o]) => o === best.x);
      const iy = f.findIndex(([o]) => o === best.y);
      if (ix < 0 || iy < 0 || ratioKey(f[iy][1] / f[ix][1]) !== ratioKey(best.r)) continue;
      const cx = f[ix][1];
      outputs[fi] = [...f.filter((_, i) => i !== ix && i !== iy), [t, cx]];
    }
  }
  return { inputs, temps, outputs };
}
