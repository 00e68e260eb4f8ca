/**
 * CSV as RFC 4180 says: comma-separated fields, CRLF line ends, a field quoted when it holds a comma,
 * a double quote, CR or LF, with inner double quotes doubled.
 */
export type CsvCell = string | number | boolean | null | undefined

export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Rows (the first one usually the header) as CSV text, each line ended by CRLF. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((r) => r.map(csvField).join(',') + '\r\n').join('')
}
