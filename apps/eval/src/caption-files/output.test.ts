import { describe, expect, it } from 'vitest';
import { csvField, formatRows, fromSpreadsheetSafe, outputFormat, outputHeader, spreadsheetSafe } from './output.js';
import { parseCsv } from './resume.js';

describe('outputFormat', () => {
  it('follows the extension in any case, and --format overrides it', () => {
    expect(outputFormat('captions.jsonl', undefined)).toBe('jsonl');
    expect(outputFormat('dir/CAPTIONS.CSV', undefined)).toBe('csv');
    expect(outputFormat('captions.txt', 'csv')).toBe('csv');
    expect(outputFormat('captions.csv', 'jsonl')).toBe('jsonl');
  });

  it('refuses an extension it cannot read, naming --out and --format', () => {
    expect(() => outputFormat('captions.txt', undefined)).toThrow(/--out captions.txt: .*"\.txt".*--format jsonl\|csv/);
    expect(() => outputFormat('captions', undefined)).toThrow(/no extension/);
  });
});

describe('CSV quoting', () => {
  it('quotes fields with commas, quotes, line breaks or edge spaces, doubling inner quotes', () => {
    expect(csvField('a dog runs')).toBe('a dog runs');
    expect(csvField('beach, "sunny" day.jpg')).toBe('"beach, ""sunny"" day.jpg"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField('')).toBe('');
  });

  it('writes a header then one record per row, which parse back to the same fields', () => {
    const rows = [
      { file: 'photos/beach, "sunny" day.jpg', caption: 'a man, a "dog"', score: -1.25 },
      { file: 'photos/odd\nname.jpg', caption: 'plain', score: -0.5 },
      { file: 'photos/é.jpg', caption: '', score: -2 },
    ];
    const text = outputHeader('csv') + formatRows('csv', rows);
    expect(text.startsWith('file,caption,score\n"photos/beach, ""sunny"" day.jpg","a man, a ""dog""",-1.25\n')).toBe(
      true,
    );
    const { records, completeChars } = parseCsv(text);
    expect(completeChars).toBe(text.length);
    expect(records).toEqual([
      ['file', 'caption', 'score'],
      ...rows.map(({ file, caption, score }) => [file, caption, String(score)]),
    ]);
  });

  it('treats a record without its final newline, or inside an open quote, as torn', () => {
    const complete = 'file,caption,score\na.jpg,a dog,-1\n';
    expect(parseCsv(`${complete}b.jpg,a c`).completeChars).toBe(complete.length);
    expect(parseCsv(`${complete}"b\n.jpg",a c`).completeChars).toBe(complete.length);
    expect(parseCsv(`${complete}"b\n.jpg",a c`).records).toHaveLength(2);
  });
});

describe('JSONL rows', () => {
  it('are one JSON object {file, caption, score} per line', () => {
    const text = formatRows('jsonl', [{ file: 'a "b".jpg', caption: 'x, y', score: -0.75 }]);
    expect(text).toBe('{"file":"a \\"b\\".jpg","caption":"x, y","score":-0.75}\n');
    expect(outputHeader('jsonl')).toBe('');
  });
});

describe('CSV fields a spreadsheet would evaluate (OWASP CSV injection)', () => {
  it("prefixes text starting with = + - @ tab, CR or ' with a quote, leaves numbers alone, and reads back exactly", () => {
    const names = [
      '=HYPERLINK("http://x")',
      '+1.jpg',
      '-cmd.jpg',
      '@SUM(A1).jpg',
      '\tx.jpg',
      '\rx.jpg',
      "'quoted.jpg",
      'ok.jpg',
    ];
    const csv = formatRows(
      'csv',
      names.map((file) => ({ file, caption: '=evil', score: -0.5 })),
    );
    const { records } = parseCsv(csv);
    expect(records.map(([file, caption, score]) => [file![0], caption, score])).toEqual(
      names.map((name) => [name === 'ok.jpg' ? 'o' : "'", "'=evil", '-0.5']),
    );
    expect(records.map(([file]) => fromSpreadsheetSafe(file!))).toEqual(names);
    for (const name of names) expect(fromSpreadsheetSafe(spreadsheetSafe(name))).toBe(name);
  });
});
