// The public libs as a user gets them: `npm pack` (each lib's prepack builds it first), the tarballs installed
// together into a fresh project with no network, and each README's usage example run there as written.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneStaleOutputs, runNx } from './prepack.mjs';
import { installOffline } from './test-helpers/offline-project.mjs';
import { packLibs, publicLibs, unshippedImports } from './test-helpers/packing.mjs';
import {
  codeBlocks,
  documentedOutput,
  importedPackages,
  installedPackages,
  missingOutput,
  runnableModule,
  typeErrors,
  usageSection,
} from './test-helpers/readme-examples.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const LIBS = publicLibs(ROOT);
const NAMES = new Set(LIBS.map((lib) => lib.manifest.name));
// Examples run with a plain environment: nothing of this test runner's, no IMGCAP_BACKEND or WANDB_API_KEY.
const EXAMPLE_ENV = Object.fromEntries(
  ['PATH', 'HOME', 'TMPDIR'].filter((k) => process.env[k]).map((k) => [k, process.env[k]]),
);

const readmes = LIBS.map((lib) => {
  const section = usageSection(readFileSync(join(lib.dir, 'README.md'), 'utf8')) ?? '';
  const blocks = codeBlocks(section).filter((block) => block.lang === 'ts' || block.lang === 'js');
  // As the READMEs tell users: ES modules by extension (.mts / .mjs), since the examples use top-level await and the
  // project, like one made by `npm init -y`, is CommonJS.
  const files = blocks.map((block, i) => `examples/${lib.project}-${i + 1}.m${block.lang}`);
  return { lib, install: installedPackages(section), blocks, files };
});

let work;
let project;
let packed;

/** Third-party packages the READMEs' install lines name, with their versions. */
function thirdPartyInstalls() {
  const installs = readmes.flatMap((r) => r.install).filter((p) => !NAMES.has(p.name) && p.version);
  return Object.fromEntries(installs.map((p) => [p.name, p.version]));
}

function writeExamples() {
  mkdirSync(join(project, 'examples'));
  for (const { blocks, files } of readmes) {
    blocks.forEach((block, i) => {
      writeFileSync(join(project, files[i]), block.code);
      writeFileSync(join(project, files[i].replace(/\.\w+$/, '.mjs')), runnableModule(block));
    });
  }
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'imgcap-pack-'));
  project = join(work, 'project');
  mkdirSync(join(project, 'tarballs'), { recursive: true });
  // What every lib's prepack does, once for all of them (one Nx start instead of ten); the prepack test runs one.
  runNx(['run-many', '-t', 'build', '-p', LIBS.map((lib) => lib.project).join(',')]);
  for (const lib of LIBS) pruneStaleOutputs(lib.dir);
  const { report } = packLibs(ROOT, LIBS, join(project, 'tarballs'), { ignoreScripts: true });
  packed = new Map(report.map((entry) => [entry.name, entry]));
  const tarballs = LIBS.map((lib) => ({
    libPath: lib.path,
    file: `tarballs/${packed.get(lib.manifest.name).filename}`,
  }));
  const workspaceLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  installOffline(project, workspaceLock, tarballs, thirdPartyInstalls());
  writeExamples();
}, 600_000);
afterAll(() => work && rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it("runs the lib's prepack: Nx builds it, then npm packs the same files", () => {
    const tokenizer = LIBS.find((lib) => lib.project === 'tokenizer');
    mkdirSync(join(work, 'prepack'));
    const { report, stderr } = packLibs(ROOT, [tokenizer], join(work, 'prepack'));
    expect(stderr).toContain('node ../../tools/pack/prepack.mjs');
    // Nx colours its output where it thinks a terminal may show it (CI=true included).
    expect(stripVTControlCharacters(stderr)).toMatch(/nx run tokenizer:build/);
    const paths = (entry) => entry.files.map((f) => f.path).sort();
    expect(paths(report[0])).toEqual(paths(packed.get(tokenizer.manifest.name)));
    expect(paths(report[0])).toContain('dist/index.js');
  }, 180_000);

  it.each(LIBS.map((lib) => [lib.manifest.name, lib]))(
    '%s ships its build, README and the sources its maps name; no tests, fixtures or build info',
    (name, lib) => {
      const files = packed.get(name).files.map((f) => f.path);
      const shipped = new Set(files);
      expect(files.filter((f) => !/^(dist|src)\/|^(package\.json|README\.md|LICENSE)$/.test(f))).toEqual([]);
      expect(files.filter((f) => /\.test\.|\.test-helper\.|test-helpers\/|fixtures\/|tsbuildinfo/.test(f))).toEqual([]);
      const targets = Object.values(lib.manifest.exports).flatMap((c) => [c.types, c.import, c.default]);
      expect(targets.filter((t) => t && !shipped.has(normalize(t)))).toEqual([]);
      const maps = files.filter((f) => f.endsWith('.map'));
      expect(maps.length).toBeGreaterThan(0);
      const unshipped = maps.flatMap((map) =>
        JSON.parse(readFileSync(join(lib.dir, map), 'utf8'))
          .sources.map((source) => normalize(join(dirname(map), source)))
          .filter((source) => !shipped.has(source)),
      );
      expect(unshipped, 'sources named by shipped maps but not shipped').toEqual([]);
      const uncompiled = files.filter(
        (f) => f.startsWith('src/') && !shipped.has(f.replace(/^src/, 'dist').replace(/\.ts$/, '.js')),
      );
      expect(uncompiled, 'shipped sources without their build').toEqual([]);
      expect(unshippedImports(lib.dir, files), 'relative imports of files not shipped').toEqual([]);
    },
  );

  it.each(LIBS.map((lib) => lib.manifest.name))('%s names sibling libs by their exact versions', (name) => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8'));
    const versions = new Map(LIBS.map((l) => [l.manifest.name, l.manifest.version]));
    const siblings = Object.entries({
      ...installed.dependencies,
      ...installed.peerDependencies,
      ...installed.optionalDependencies,
    }).filter(([dep]) => versions.has(dep));
    expect(siblings.filter(([dep, range]) => range !== versions.get(dep))).toEqual([]);
  });
});

describe('README usage examples, run in a project that installed the tarballs offline', () => {
  it.each(readmes.map((r) => [r.lib.manifest.name, r]))(
    '%s: the Usage section installs the lib and everything its examples import, and documents their output',
    (name, { install, blocks }) => {
      expect(blocks.length, 'a ```ts or ```js example under "## Usage"').toBeGreaterThan(0);
      const named = new Set(install.map((p) => p.name));
      expect([...named]).toContain(name);
      expect(
        install.filter((p) => !NAMES.has(p.name) && !p.version),
        'third-party installs pin a version',
      ).toEqual([]);
      const imported = blocks.flatMap((block) => importedPackages(block.code));
      expect(
        imported.filter((p) => !named.has(p)),
        'imported but not in the npm install line',
      ).toEqual([]);
      expect(blocks.filter((block) => documentedOutput(block.code).length === 0).length).toBe(0);
    },
  );

  it('the TypeScript examples type-check (strict, NodeNext) against the types in the tarballs', () => {
    const files = readmes.flatMap((r) => r.files).filter((f) => f.endsWith('.mts'));
    expect(files.length).toBeGreaterThan(0);
    expect(typeErrors(files.map((f) => join(project, f)))).toEqual([]);
  }, 180_000);

  it.each(readmes.map((r) => [r.lib.manifest.name, r]))(
    '%s: the example runs as written and prints what its comments say',
    (name, { blocks, files }) => {
      blocks.forEach((block, i) => {
        const cwd = join(project, 'runs', `${files[i].replace(/\W/g, '-')}`);
        mkdirSync(cwd, { recursive: true });
        const script = join(project, files[i].replace(/\.\w+$/, '.mjs'));
        const run = spawnSync(process.execPath, [script], {
          cwd,
          env: EXAMPLE_ENV,
          encoding: 'utf8',
          timeout: 150_000,
        });
        expect(run.status, `${files[i]} failed:\n${run.stderr}`).toBe(0);
        expect(missingOutput(documentedOutput(block.code), run.stdout), `stdout:\n${run.stdout}`).toEqual([]);
      });
    },
    180_000,
  );
});
