// Packing the workspace's public libs as `npm pack` does for a user or `npm publish`.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** libs/* that are not private: `{ path: 'libs/x', dir, project, manifest }`. */
export function publicLibs(root) {
  return readdirSync(join(root, 'libs'))
    .sort()
    .map((name) => {
      const dir = join(root, 'libs', name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const project = JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8')).name;
      return { path: `libs/${name}`, dir, project, manifest };
    })
    .filter((lib) => !lib.manifest.private);
}

/**
 * `npm pack --json` of `libs` into `destination`; returns npm's report, one entry per lib
 * (`{ name, filename, files: [{ path, size }], size, unpackedSize, entryCount }`) and the npm output on stderr.
 */
export function packLibs(root, libs, destination, { ignoreScripts = false } = {}) {
  const args = ['pack', '--json', '--pack-destination', destination, ...libs.flatMap((l) => ['--workspace', l.path])];
  if (ignoreScripts) args.push('--ignore-scripts');
  const npm = spawnSync('npm', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (npm.status !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${npm.stderr}`);
  return { report: JSON.parse(npm.stdout), stderr: npm.stderr };
}

/** Relative imports in the shipped `.js` files whose target is not shipped: `file → specifier`. */
export function unshippedImports(libDir, files) {
  const shipped = new Set(files);
  return files
    .filter((file) => file.endsWith('.js'))
    .flatMap((file) =>
      [...readFileSync(join(libDir, file), 'utf8').matchAll(/(?:\bfrom|^import|\bimport\()\s*['"](\.[^'"]+)['"]/gm)]
        .map((match) => match[1])
        .filter((specifier) => !shipped.has(normalize(join(dirname(file), specifier))))
        .map((specifier) => `${file} → ${specifier}`),
    );
}
