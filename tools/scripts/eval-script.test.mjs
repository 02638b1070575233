import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'imgcap-eval-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The README's route for machine-readable output: the Nx build's lines go to stderr, stdout is the command's alone.
describe('npm run -s eval', () => {
  it("prints the command's one JSON line alone on stdout, so it pipes into jq", () => {
    const references = join(dir, 'references.json');
    const candidates = join(dir, 'candidates.json');
    writeFileSync(references, JSON.stringify({ a: ['a dog runs on the grass'], b: ['two cats sleep'] }));
    writeFileSync(
      candidates,
      JSON.stringify([
        { image_id: 'a', caption: 'a dog runs' },
        { image_id: 'b', caption: 'two cats' },
      ]),
    );
    const run = spawnSync(
      'npm',
      ['run', '-s', 'eval', '--', 'score', '--references', references, '--candidates', candidates],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 280_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ 'BLEU-1': expect.any(Number), 'CIDEr-D': expect.any(Number) });
    expect(stripVTControlCharacters(run.stderr)).toMatch(/Successfully ran target build/);
  }, 300_000);
});
