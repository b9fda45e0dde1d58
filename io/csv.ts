// A small CSV writer (RFC 4180 quoting). No Node built-ins: the browser app downloads the same text.

export type CsvValue = string | number | boolean | bigint | null | undefined;

/**
 * One field. Quoted when it holds a comma, a quote, a line break or leading/trailing spaces
 * (spreadsheets would trim them); quotes are doubled. null/undefined are empty fields; numbers
 * use JavaScript's shortest round-trip form, non-finite ones as NaN/Inf/-Inf.
 */
export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Inf' : v === -Infinity ? '-Inf' : String(v);
  const s = String(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows (and an optional header) as CSV text, '\n' line endings, ending with a newline. */
export function toCsv(rows: Iterable<readonly CsvValue[]>, header?: readonly string[]): string {
  const lines: string[] = [];
  if (header) lines.push(header.map(csvField).join(','));
  for (const r of rows) lines.push(r.map(csvField).join(','));
  return lines.length ? lines.join('\n') + '\n' : '';
}
