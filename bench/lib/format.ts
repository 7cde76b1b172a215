/** Plain-text tables and number formatting for benchmark reports. */

export type Cell = string | number;

/** A table with a header row; numbers are right-aligned, text left-aligned. */
export function table(header: string[], rows: Cell[][]): string {
  const text = [header, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = header.map((_, i) => Math.max(...text.map((row) => (row[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.every((row) => typeof row[i] === 'number' || /^[\d.,%×x–-]+$/.test(String(row[i]))));
  const line = (row: string[]) =>
    row.map((cell, i) => (numeric[i] && i > 0 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(text[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...text.slice(1).map(line)].join('\n');
}

/** Nearest-rank percentile of already sorted numbers. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The nearest-rank median of numbers in any order. */
export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
export const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
export const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export function heading(title: string): string {
  return `\n${title}\n${'═'.repeat(title.length)}`;
}
