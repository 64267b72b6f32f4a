/** Renders rows as an aligned plain-text table (first row is the header). */
export function textTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (cell ?? '').padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Renders rows as a Markdown table (first row is the header). */
export function markdownTable(rows: string[][]): string {
  const esc = (s: string) => (s ?? '').replace(/\|/g, '\\|');
  return [rows[0], rows[0].map(() => '---'), ...rows.slice(1)]
    .map((r) => `| ${r.map(esc).join(' | ')} |`)
    .join('\n');
}

/** Milliseconds with three significant digits. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toPrecision(3)} s`;
  return `${ms.toPrecision(3)} ms`;
}
