/**
 * @module
 * Tables for the terminal that are also Markdown (BENCHMARKS.md quotes them as printed).
 */

export type Cell = string | number;

const show = (cell: Cell): string =>
  typeof cell === 'number' ? (Number.isFinite(cell) ? String(Math.round(cell * 100) / 100) : '—') : cell;

export function table(headers: string[], rows: Cell[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(show))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(cells[0] ?? []), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

export function section(title: string, body: string): void {
  process.stdout.write(`\n### ${title}\n\n${body}\n`);
}
