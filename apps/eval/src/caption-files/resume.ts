import { readFile } from 'node:fs/promises';
import { CSV_COLUMNS, fromSpreadsheetSafe, outputHeader, type OutputFormat } from './output.js';

/** What an earlier run left in the output. */
export interface ExistingOutput {
  /** The `file` of every complete row: these are not captioned again. */
  files: Set<string>;
  /** Bytes up to the end of the last complete line (the header included); the rest is a torn line to cut off. */
  completeBytes: number;
  /** Bytes in the file now. */
  size: number;
}

/**
 * CSV records as this command writes them (RFC 4180 quoting, "\n" between records), and where the last record
 * that ended in a newline outside quotes ends: text after it is a torn record. A small parser rather than a
 * dependency: it only ever reads back what `csvRecord` wrote.
 */
export function parseCsv(text: string): { records: string[][]; completeChars: number } {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let completeChars = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted && char === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (quoted || (char !== ',' && char !== '\n')) {
      field += char;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else {
      fields.push(field.endsWith('\r') ? field.slice(0, -1) : field);
      records.push(fields);
      fields = [];
      field = '';
      completeChars = i + 1;
    }
  }
  return { records, completeChars };
}

function jsonlFiles(text: string, path: string): Set<string> {
  const files = new Set<string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      row = undefined;
    }
    const file = (row as { file?: unknown } | undefined)?.file;
    if (typeof file !== 'string') {
      throw new Error(`${path} line ${i + 1} is not a caption line {"file","caption","score"}; not resuming onto it`);
    }
    files.add(file);
  });
  return files;
}

function csvFiles(records: string[][], path: string): Set<string> {
  const [header, ...rows] = records;
  if (header && header.join(',') !== CSV_COLUMNS.join(',')) {
    throw new Error(`${path} does not start with the header ${CSV_COLUMNS.join(',')}; not resuming onto it`);
  }
  return new Set(rows.map(([file]) => fromSpreadsheetSafe(file ?? '')));
}

const JSONL_START = '{"file":';

/**
 * Whether the bytes after the last complete line can be the start of a line this command writes, cut by a crash:
 * text (valid UTF-8, no NUL) that begins as a caption line does (or, before the first complete line, as the CSV
 * header). Anything else means the file is not this command's output, and is refused rather than cut.
 */
function isTornLine(tail: Buffer, format: OutputFormat, atStart: boolean): boolean {
  if (tail.includes(0)) return false;
  let text: string;
  try {
    // stream: a crash can cut a line inside a multi-byte character; only bytes that can never be UTF-8 refuse it.
    text = new TextDecoder('utf-8', { fatal: true }).decode(tail, { stream: true });
  } catch {
    return false;
  }
  const start = format === 'jsonl' ? JSONL_START : atStart ? outputHeader('csv') : null;
  return start === null || start.startsWith(text) || text.startsWith(start);
}

/**
 * Reads an output an earlier run wrote, to resume it. A crash can tear only the last line (lines are appended
 * whole, one batch per write), so the text after the last complete line is reported as torn, never parsed; a
 * complete line that is not ours is an error rather than something to guess about.
 */
export async function readExistingOutput(path: string, format: OutputFormat): Promise<ExistingOutput> {
  const bytes = await readFile(path);
  const result = (files: Set<string>, completeBytes: number) => {
    if (completeBytes < bytes.length && !isTornLine(bytes.subarray(completeBytes), format, completeBytes === 0)) {
      throw new Error(
        `${path} ends in ${bytes.length - completeBytes} bytes that are not a torn ${format.toUpperCase()} caption line: it is not this command's output; not resuming onto it (name another --out)`,
      );
    }
    return { files, completeBytes, size: bytes.length };
  };
  if (format === 'jsonl') {
    // "\n" (0x0A) never occurs inside a multi-byte UTF-8 character, so the byte search is exact.
    const completeBytes = bytes.lastIndexOf(0x0a) + 1;
    return result(jsonlFiles(bytes.subarray(0, completeBytes).toString('utf8'), path), completeBytes);
  }
  const text = bytes.toString('utf8');
  const { records, completeChars } = parseCsv(text);
  return result(csvFiles(records, path), Buffer.byteLength(text.slice(0, completeChars), 'utf8'));
}
