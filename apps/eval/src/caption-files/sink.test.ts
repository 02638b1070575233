import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRows } from './output.js';
import { prepareOutput } from './sink.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'imgcap-sink-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const row = (file: string) => ({ file, caption: `caption of ${file}`, score: -1 });

describe('prepareOutput', () => {
  it('starts a missing file (and its folders), with the CSV header', async () => {
    const path = join(root, 'new', 'deep', 'c.csv');
    const { sink, done } = await prepareOutput(path, 'csv', { resume: false, log: () => {} });
    await sink.append(formatRows('csv', [row('a.jpg')]));
    await sink.close();
    expect(done.size).toBe(0);
    expect(await readFile(path, 'utf8')).toBe('file,caption,score\na.jpg,caption of a.jpg,-1\n');
  });

  it('refuses to overwrite a non-empty output without --resume, naming it', async () => {
    const path = join(root, 'taken.jsonl');
    await writeFile(path, formatRows('jsonl', [row('a.jpg')]));
    await expect(prepareOutput(path, 'jsonl', { resume: false, log: () => {} })).rejects.toThrow(
      `${path} already exists (`,
    );
    await expect(prepareOutput(path, 'jsonl', { resume: false, log: () => {} })).rejects.toThrow(/pass --resume/);
    expect(await readFile(path, 'utf8')).toBe(formatRows('jsonl', [row('a.jpg')]));
  });

  it('reuses an empty file (or a CSV with only its header) without --resume, and refuses a folder', async () => {
    const path = join(root, 'empty.jsonl');
    await writeFile(path, '');
    const { sink } = await prepareOutput(path, 'jsonl', { resume: false, log: () => {} });
    await sink.close();
    const csv = join(root, 'header-only.csv');
    await writeFile(csv, 'file,caption,score\n');
    const reused = await prepareOutput(csv, 'csv', { resume: false, log: () => {} });
    await reused.sink.close();
    expect(await readFile(csv, 'utf8')).toBe('file,caption,score\n');
    await expect(prepareOutput(root, 'jsonl', { resume: true, log: () => {} })).rejects.toThrow(/is a directory/);
  });

  it.each(['jsonl', 'csv'] as const)(
    'resumes %s: keeps complete rows, cuts a torn last line, appends after it',
    async (format) => {
      const path = join(root, `resume.${format}`);
      const complete =
        (format === 'csv' ? 'file,caption,score\n' : '') + formatRows(format, [row('a.jpg'), row('b, "c".jpg')]);
      const torn = formatRows(format, [row('d.jpg')]).slice(0, 12);
      await writeFile(path, complete + torn);
      const lines: string[] = [];
      const { sink, done } = await prepareOutput(path, format, { resume: true, log: (line) => lines.push(line) });
      expect([...done]).toEqual(['a.jpg', 'b, "c".jpg']);
      expect(lines).toEqual([`${path}: dropping a torn last line (12 bytes) left by an interrupted run`]);
      expect(await readFile(path, 'utf8')).toBe(complete);
      await sink.append(formatRows(format, [row('d.jpg')]));
      await sink.close();
      expect(await readFile(path, 'utf8')).toBe(complete + formatRows(format, [row('d.jpg')]));
    },
  );

  it('rewrites a torn CSV header, and refuses a file that is not its format', async () => {
    const path = join(root, 'header.csv');
    await writeFile(path, 'file,capt');
    const { sink, done } = await prepareOutput(path, 'csv', { resume: true, log: () => {} });
    await sink.close();
    expect(done.size).toBe(0);
    expect(await readFile(path, 'utf8')).toBe('file,caption,score\n');
    await writeFile(path, 'name,text\n');
    await expect(prepareOutput(path, 'csv', { resume: true, log: () => {} })).rejects.toThrow(
      /does not start with the header file,caption,score/,
    );
    const jsonl = join(root, 'other.jsonl');
    await writeFile(jsonl, '{"file":"a.jpg","caption":"x","score":-1}\n[1,2]\n');
    await expect(prepareOutput(jsonl, 'jsonl', { resume: true, log: () => {} })).rejects.toThrow(
      `${jsonl} line 2 is not a caption line`,
    );
  });

  it('refuses --resume onto a file that was never caption output, and keeps it whole', async () => {
    const cases: Array<[string, 'jsonl' | 'csv', Buffer]> = [
      ['notes.jsonl', 'jsonl', Buffer.from('my precious notes, no newline at all')],
      ['image.jsonl', 'jsonl', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46])],
      ['notes.csv', 'csv', Buffer.from('a spreadsheet of something else')],
      ['binary.csv', 'csv', Buffer.from('file,caption,score\na.jpg,x,-1\n\u0000\u0001garbage')],
    ];
    for (const [name, format, bytes] of cases) {
      const path = join(root, name);
      await writeFile(path, bytes);
      await expect(prepareOutput(path, format, { resume: true, log: () => {} }), name).rejects.toThrow(
        /bytes that are not a torn (JSONL|CSV) caption line: it is not this command's output; not resuming onto it/,
      );
      expect(await readFile(path), name).toEqual(bytes);
    }
    // A genuinely torn first line, cut inside a multi-byte character, is still cut and resumed.
    const torn = join(root, 'torn-first.jsonl');
    await writeFile(torn, Buffer.from('{"file":"café.jpg","capt').subarray(0, 15));
    const { sink } = await prepareOutput(torn, 'jsonl', { resume: true, log: () => {} });
    await sink.close();
    expect(await readFile(torn, 'utf8')).toBe('');
  });
});
