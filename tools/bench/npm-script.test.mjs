import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

// The whole `npm run bench` path: the Nx build (all cache hits once the builds this test depends on ran), then the
// quickest honest bench: the matmul group alone, --quick repeats, on the wasm backend (always installed).
describe('npm run -s bench', () => {
  it('prints the JSON report alone on stdout (the build and the progress go to stderr), so it pipes into jq', () => {
    const run = spawnSync('npm', ['run', '-s', 'bench', '--', '--only', 'matmul', '--quick', '--backend', 'wasm'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 280_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ backend: 'wasm', quick: true, groups: ['matmul'] });
    expect(report.matmul_gflops.median).toBeGreaterThan(0);
    // Under `nx run tools:test` the nested Nx colours its output.
    const stderr = stripVTControlCharacters(run.stderr);
    expect(stderr).toMatch(/Successfully ran target build/);
    expect(stderr).toContain('[bench] matmul');
  }, 300_000);
});
