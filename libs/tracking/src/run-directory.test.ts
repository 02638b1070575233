import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abandonRun, openRun } from './run-directory.js';
import { useTempDirs } from './test-helpers/temp-dir.js';

const tempDir = useTempDirs();
const CONFIG = { lr: 0.001, batch_size: 128, seq_length: 36 };

describe('openRun', () => {
  it('creates a missing run dir and writes the resolved config.json once', async () => {
    const dir = join(await tempDir(), 'runs', 'first');
    const run = await openRun({ dir, config: CONFIG });
    expect(run.resumed).toBe(false);
    expect(run.dir).toBe(dir);
    expect(JSON.parse(await readFile(run.paths.config, 'utf8'))).toEqual(CONFIG);
    // Atomic write leaves no temp file behind.
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('accepts an existing empty dir', async () => {
    const dir = await tempDir();
    const run = await openRun({ dir, config: CONFIG });
    expect(run.config).toEqual(CONFIG);
  });

  it('refuses a non-empty dir, naming the dir and both flags', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'checkpoint.bin'), 'x');
    const attempt = openRun({ dir, config: CONFIG });
    await expect(attempt).rejects.toThrow(dir);
    await expect(openRun({ dir, config: CONFIG })).rejects.toThrow(/--resume.*--overwrite/);
    expect(await readFile(join(dir, 'checkpoint.bin'), 'utf8')).toBe('x');
  });

  it('overwrite clears the dir and writes the new config', async () => {
    const dir = await tempDir();
    await openRun({ dir, config: { lr: 1 } });
    await writeFile(join(dir, 'metrics.jsonl'), '{"step":1}\n');
    await mkdir(join(dir, 'checkpoints'));
    const run = await openRun({ dir, config: CONFIG, overwrite: true });
    expect(run.resumed).toBe(false);
    expect((await readdir(dir)).sort()).toEqual(['config.json']);
    expect(JSON.parse(await readFile(run.paths.config, 'utf8'))).toEqual(CONFIG);
  });

  it('resume keeps the stored config.json and the other files', async () => {
    const dir = await tempDir();
    await openRun({ dir, config: CONFIG });
    await writeFile(join(dir, 'metrics.jsonl'), '');
    const run = await openRun({ dir, config: { ...CONFIG, lr: 5 }, resume: true });
    expect(run.resumed).toBe(true);
    expect(run.config).toEqual(CONFIG);
    expect(JSON.parse(await readFile(run.paths.config, 'utf8'))).toEqual(CONFIG);
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'metrics.jsonl']);
  });

  it('resume of an empty dir starts a new run', async () => {
    const run = await openRun({ dir: await tempDir(), config: CONFIG, resume: true });
    expect(run.resumed).toBe(false);
    expect(JSON.parse(await readFile(run.paths.config, 'utf8'))).toEqual(CONFIG);
  });

  it('resume of a non-empty dir without config.json is refused', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'notes.txt'), 'hi');
    await expect(openRun({ dir, config: CONFIG, resume: true })).rejects.toThrow(/no config\.json/);
  });

  it('refuses resume and overwrite together', async () => {
    await expect(openRun({ dir: await tempDir(), config: CONFIG, resume: true, overwrite: true })).rejects.toThrow(
      /mutually exclusive/,
    );
  });

  it('refuses to overwrite a dir that contains the current directory', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'keep.txt'), 'x');
    const previous = process.cwd();
    process.chdir(dir);
    try {
      await expect(openRun({ dir: '.', config: CONFIG, overwrite: true })).rejects.toThrow(/Refusing --overwrite/);
    } finally {
      process.chdir(previous);
    }
    expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('x');
  });
});

describe('abandonRun', () => {
  it("empties a fresh run's directory and leaves a resumed one alone", async () => {
    const dir = join(await tempDir(), 'run');
    await abandonRun(await openRun({ dir, config: CONFIG }));
    expect(await readdir(dir)).toEqual([]);
    expect((await openRun({ dir, config: CONFIG })).resumed).toBe(false);
    await abandonRun(await openRun({ dir, config: CONFIG, resume: true }));
    expect(await readdir(dir)).toEqual(['config.json']);
  });
});
