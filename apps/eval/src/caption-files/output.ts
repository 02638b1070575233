import { extname } from 'node:path';

export const OUTPUT_FORMATS = ['jsonl', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** One output line. */
export interface CaptionRow {
  file: string;
  caption: string;
  /** The caption's ranking score as generation returns it: logProb / length^length_penalty (see README). */
  score: number;
}

export const CSV_COLUMNS = ['file', 'caption', 'score'] as const;

/** `--format` if given, else the output's extension (.jsonl or .csv, any case); anything else is an error. */
export function outputFormat(out: string, format: OutputFormat | undefined): OutputFormat {
  if (format) return format;
  const extension = extname(out).toLowerCase();
  if (extension === '.jsonl') return 'jsonl';
  if (extension === '.csv') return 'csv';
  throw new Error(
    `--out ${out}: cannot tell the format from "${extension || 'no extension'}"; name it .jsonl or .csv, or pass --format jsonl|csv`,
  );
}

/**
 * One CSV field as RFC 4180 quotes it: in double quotes, with inner quotes doubled, when it holds a comma, a quote,
 * a line break, or leading/trailing spaces (which some readers trim); otherwise as it is.
 */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A text field a spreadsheet would not evaluate (OWASP "CSV Injection"): one that starts with `=`, `+`, `-`, `@`, a
 * tab or a carriage return gets a leading `'`, which Excel, LibreOffice and Google Sheets show as text. A field that
 * starts with `'` gets one too, so `fromSpreadsheetSafe` undoes it exactly (resume reads the file names back).
 */
export function spreadsheetSafe(value: string): string {
  return /^[=+\-@\t\r']/.test(value) ? `'${value}` : value;
}

/** The value `spreadsheetSafe` was given. */
export function fromSpreadsheetSafe(field: string): string {
  return /^'[=+\-@\t\r']/.test(field) ? field.slice(1) : field;
}

export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}

/** The text written before any row: the CSV header; nothing for JSONL. */
export function outputHeader(format: OutputFormat): string {
  return format === 'csv' ? csvRecord(CSV_COLUMNS) : '';
}

/** Rows as the format writes them, each ending in "\n", so a complete line always ends in one. */
export function formatRows(format: OutputFormat, rows: readonly CaptionRow[]): string {
  if (format === 'jsonl') {
    return rows.map(({ file, caption, score }) => `${JSON.stringify({ file, caption, score })}\n`).join('');
  }
  // The score is a number ("-0.52" is meant as one); the file name and the caption are text.
  return rows
    .map(({ file, caption, score }) => csvRecord([spreadsheetSafe(file), spreadsheetSafe(caption), String(score)]))
    .join('');
}
