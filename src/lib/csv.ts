// CSV as spreadsheets read it (RFC 4180), safe to open: no text cell can run as a formula.

export type CsvCell = string | number | null | undefined;

/**
 * A text cell that a spreadsheet would take for a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return) gets a leading `'`, so it shows as the text it is (OWASP "CSV injection"). Numbers are
 * written as numbers and never need it.
 */
export function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One cell: quoted when it holds a comma, a quote, a line break or edge spaces; quotes doubled. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  const text = neutralizeFormula(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole document: the header line, then one line per row, CRLF-terminated. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvCell).join(",")}\r\n`).join("");
}
