/** One line of a chart: (x, y) points and a label. */
export interface Series {
  label: string;
  points: [number, number][];
}

const COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#637939',
  '#8c6d31',
];

/**
 * A dependency-free SVG line chart with log or linear axes, gridlines at powers of ten on log axes,
 * and a legend; non-positive values are dropped on log axes.
 */
export function lineChart(
  series: Series[],
  options: {
    title: string;
    xLabel: string;
    yLabel: string;
    logX?: boolean;
    logY?: boolean;
    width?: number;
    height?: number;
  },
): string {
  const w = options.width ?? 760;
  const h = options.height ?? 440;
  const m = { left: 70, right: 190, top: 36, bottom: 50 };
  const tx = (v: number) => (options.logX ? Math.log10(v) : v);
  const ty = (v: number) => (options.logY ? Math.log10(v) : v);
  const ok = (p: [number, number]) => Number.isFinite(tx(p[0])) && Number.isFinite(ty(p[1]));
  const pts = series.flatMap((s) => s.points.filter(ok));
  const xs = pts.map((p) => tx(p[0]));
  const ys = pts.map((p) => ty(p[1]));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = options.logY
    ? [Math.floor(Math.min(...ys)), Math.ceil(Math.max(...ys))]
    : [Math.min(...ys), Math.max(...ys)];
  const sx = (v: number) => m.left + ((tx(v) - x0) / (x1 - x0 || 1)) * (w - m.left - m.right);
  const sy = (v: number) => h - m.bottom - ((ty(v) - y0) / (y1 - y0 || 1)) * (h - m.top - m.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`,
  ];
  out.push(
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2 - m.right / 2}" y="20" text-anchor="middle" font-size="14">${options.title}</text>`,
  );
  if (options.logY) {
    for (let e = y0; e <= y1; e++) {
      const y = sy(10 ** e);
      out.push(
        `<line x1="${m.left}" x2="${w - m.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
        `<text x="${m.left - 6}" y="${y + 4}" text-anchor="end">1e${e}</text>`,
      );
    }
  }
  const xTicks = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  for (const v of xTicks)
    out.push(`<text x="${sx(v)}" y="${h - m.bottom + 16}" text-anchor="middle">${v}</text>`);
  out.push(
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${h - m.bottom}" stroke="black"/>`,
    `<line x1="${m.left}" x2="${w - m.right}" y1="${h - m.bottom}" y2="${h - m.bottom}" stroke="black"/>`,
  );
  out.push(
    `<text x="${(m.left + w - m.right) / 2}" y="${h - 10}" text-anchor="middle">${options.xLabel}</text>`,
    `<text transform="translate(16 ${h / 2}) rotate(-90)" text-anchor="middle">${options.yLabel}</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const path = s.points
      .filter(ok)
      .map((p, k) => `${k ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
      .join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="1.8"/>`);
    out.push(
      `<line x1="${w - m.right + 12}" x2="${w - m.right + 32}" y1="${m.top + 14 * i}" y2="${m.top + 14 * i}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${w - m.right + 36}" y="${m.top + 14 * i + 4}">${s.label}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}
