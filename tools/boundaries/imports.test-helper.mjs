// What each workspace package imports, read from its sources: the packages (by name) its non-test code and its
// tests import. Node built-ins are left out; relative imports stay inside the package by construction.
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
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

/** The file a relative specifier names: `./x.js` is the source `./x.ts` (or `.mts`, `.mjs`, an `index` inside). */
function resolveRelative(from, specifier, files) {
  const base = join(dirname(from), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), join(base, 'index.ts')];
  return candidates.find((candidate) => files.has(candidate));
}

/**
 * Import cycles among a package's own (non-test) source files, each as the list of files in it: strongly connected
 * components of the relative-import graph, type-only imports included (a contract importing its implementation's
 * types is the cycle the layering forbids).
 */
export function importCycles(root) {
  const cycles = [];
  for (const { dir, group } of workspacePackages(root)) {
    const files = new Set(sourceFiles(join(dir, group === 'tools' ? '.' : 'src')).filter((f) => !TEST_FILE.test(f)));
    const edges = new Map(
      [...files].map((file) => [
        file,
        importedSpecifiers(readFileSync(file, 'utf8'))
          .filter((s) => s.startsWith('.'))
          .map((s) => resolveRelative(file, s, files))
          .filter(Boolean),
      ]),
    );
    cycles.push(...stronglyConnected(edges).filter((c) => c.length > 1 || edges.get(c[0]).includes(c[0])));
  }
  return cycles.map((cycle) => cycle.map((file) => relative(root, file)).sort());
}

/** Tarjan's strongly connected components. */
function stronglyConnected(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let next = 0;
  const visit = (node) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of edges.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node), low.get(to)));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node), index.get(to)));
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return components;
}
