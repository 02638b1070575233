#!/usr/bin/env node
// Runs every project's tests through Nx (cached) and prints the one closing line CI reads:
// `N passed, N failed`. Vitest's JSON reports are Nx outputs, so cache hits restore them too.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const projectDirs = [
  ...['libs', 'apps'].flatMap((group) =>
    existsSync(join(root, group)) ? readdirSync(join(root, group)).map((name) => join(root, group, name)) : [],
  ),
  join(root, 'tools'),
  join(root, 'tools', 'lint'),
];
for (const dir of projectDirs) rmSync(join(dir, 'reports'), { recursive: true, force: true });

const extra = process.argv.slice(2);
const nx = spawnSync('npx', ['nx', 'run-many', '-t', 'test', '--outputStyle=static', ...extra], {
  cwd: root,
  stdio: 'inherit',
});

let passed = 0;
let failed = 0;
const missing = [];
for (const dir of projectDirs) {
  const report = join(dir, 'reports', 'vitest.json');
  if (!existsSync(report)) {
    if (existsSync(join(dir, 'project.json'))) missing.push(dir.slice(root.length + 1));
    continue;
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests;
  failed +=
    json.numFailedTests + (json.numTotalTestSuites > 0 && json.success === false && json.numFailedTests === 0 ? 1 : 0);
}
if (nx.status !== 0 && failed === 0) failed = 1; // a project crashed before its report was written
if (missing.length) console.log(`no test report from: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(nx.status ?? 1);
