// What each workspace package imports, read from its sources: the packages (by name) its non-test code and its
// tests import. Node built-ins are left out; relative imports stay inside the package by construction.
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';

const BUILTIN = new Set(builtinModules);
const SKIPPED_DIRS = new Set(['fixtures', 'node_modules', 'dist', 'reports']);
const TEST_FILE = /\.test\.|test-helpers?|\.test-helper\.|vitest\.config\./;

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Every workspace package (libs/*, apps/*, tools): its manifest and the packages its code and tests import. */
export function workspacePackages(root) {
  const packageDirs = ['libs', 'apps'].flatMap((group) =>
    readdirSync(join(root, group)).map((name) => ({ group, name, dir: join(root, group, name), src: 'src' })),
  );
  packageDirs.push({ group: 'tools', name: 'tools', dir: join(root, 'tools'), src: '.' });
  return packageDirs.map(({ group, name, dir, src }) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const code = new Map();
    const tests = new Set();
    for (const file of sourceFiles(join(dir, src))) {
      for (const specifier of importedSpecifiers(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.') || specifier.startsWith('node:') || BUILTIN.has(specifier)) continue;
        if (TEST_FILE.test(file)) tests.add(packageOf(specifier));
        else code.set(packageOf(specifier), [...(code.get(packageOf(specifier)) ?? []), { file, specifier }]);
      }
    }
    return { group, name, dir, manifest, code, tests };
  });
}

/**
 * The module specifiers a file imports (static imports, re-exports, `import()`), found by TypeScript's own scanner:
 * a string or comment that merely looks like `from '…'` is not an import.
 */
function importedSpecifiers(text) {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}
