// Lint and format as part of `npm test`: ESLint (Nx module boundaries and dependency checks, the one-screen function
// limit, browser-safe code: eslint.config.mjs) and Prettier (.prettierrc.json) over every file git tracks or would.
// One test per project, so a failure names the project and lists each problem in it.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const LINTED = /\.(ts|mts|mjs|js)$|(^|\/)package\.json$/;

// The Nx rules read the cached project graph and skip silently when there is none, so build it first.
const graph = await createProjectGraphAsync({ exitOnError: false });
const roots = Object.values(graph.nodes)
  .map((node) => ({ name: node.name, root: `${node.data.root}/` }))
  .sort((a, b) => b.root.length - a.root.length);
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean);
/** The project a file belongs to: the deepest project root above it, else the workspace's own files. */
const projectOf = (file) => roots.find(({ root }) => file.startsWith(root))?.name ?? '(workspace root)';
const groups = new Map();
for (const file of files) groups.set(projectOf(file), [...(groups.get(projectOf(file)) ?? []), file]);

const eslint = new ESLint({ cwd: ROOT });

async function eslintProblems(projectFiles) {
  const candidates = [];
  for (const file of projectFiles)
    if (LINTED.test(file) && !(await eslint.isPathIgnored(join(ROOT, file)))) candidates.push(file);
  if (candidates.length === 0) return [];
  const results = await eslint.lintFiles(candidates.map((file) => join(ROOT, file)));
  return results.flatMap((result) =>
    result.messages.map(
      (m) => `${result.filePath.slice(ROOT.length + 1)}:${m.line}:${m.column} ${m.message} (${m.ruleId})`,
    ),
  );
}

async function unformatted(projectFiles) {
  const ignorePath = join(ROOT, '.prettierignore');
  const offenders = [];
  for (const file of projectFiles) {
    const path = join(ROOT, file);
    const info = await prettier.getFileInfo(path, { ignorePath });
    if (info.ignored || !info.inferredParser) continue;
    const options = await prettier.resolveConfig(path);
    if (!(await prettier.check(await readFile(path, 'utf8'), { ...options, filepath: path }))) offenders.push(file);
  }
  return offenders;
}

describe('lint and format', () => {
  it('sees every project (the Nx rules need the graph)', () => {
    expect(roots.map(({ name }) => name)).toEqual(expect.arrayContaining(['captioner', 'serve', 'tools', 'lint']));
  });

  it.each([...groups.keys()].sort())('%s: ESLint finds no problem', async (project) => {
    expect(await eslintProblems(groups.get(project))).toEqual([]);
  });

  it.each([...groups.keys()].sort())('%s: every file is formatted by Prettier (npm run format)', async (project) => {
    expect(await unformatted(groups.get(project))).toEqual([]);
  });
});
