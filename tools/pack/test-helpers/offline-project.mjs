// A throwaway project that installs the packed libs with no network. npm resolves version ranges from registry
// metadata, which `npm ci` never caches, so a plain `npm install --offline x.tgz` fails (ENOTCACHED). Instead this
// writes a package-lock.json: the tarballs, plus the workspace lock's entries for every third-party package they
// need (same versions and integrity hashes), re-rooted where a tarball install puts them. `npm ci --offline` then
// takes every third-party tarball from the npm cache the workspace's own `npm ci` filled, by its integrity.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DEPENDENCY_KINDS = ['dependencies', 'optionalDependencies', 'peerDependencies'];

/** Where Node finds `name` from the package at lock path `from` (its node_modules, then its parents'). */
function resolveInLock(packages, from, name) {
  let dir = from;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    const entry = packages[candidate];
    if (entry) return entry.link ? entry.resolved : candidate;
    if (!dir) return undefined;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent >= 0 ? dir.slice(0, parent) : '';
  }
}

/** Every lock path `roots` (workspace lock paths such as `libs/captioner`) need, depth first. */
export function lockClosure(packages, roots) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const kind of DEPENDENCY_KINDS) {
      for (const name of Object.keys(packages[path][kind] ?? {})) {
        const found = resolveInLock(packages, path, name);
        const optional =
          kind === 'optionalDependencies' ||
          (kind === 'peerDependencies' && packages[path].peerDependenciesMeta?.[name]?.optional);
        if (found) visit(found);
        else if (!optional) throw new Error(`${path} needs ${name}, which the workspace lock does not hold`);
      }
    }
  };
  roots.forEach(visit);
  return seen;
}

/** `libs/<dir>/…` → `node_modules/<package name>/…`: where the tarball of that lib lands. */
function rerooted(packages, path) {
  const match = path.match(/^libs\/([^/]+)(.*)$/);
  return match ? `node_modules/${packages[`libs/${match[1]}`].name}${match[2]}` : path;
}

function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/**
 * The project's package.json and package-lock.json. `tarballs`: `[{ libPath: 'libs/x', file }]` (file relative to
 * dir); `extra`: `{ name: version }` of third-party packages the project itself depends on (the READMEs' installs).
 */
export function projectFiles(dir, workspaceLock, tarballs, extra) {
  const packages = workspaceLock.packages;
  const dependencies = {};
  const locked = {};
  for (const path of lockClosure(
    packages,
    tarballs.map((t) => t.libPath),
  )) {
    locked[rerooted(packages, path)] = { ...packages[path] };
  }
  for (const { libPath, file } of tarballs) {
    const { name, ...entry } = packages[libPath];
    dependencies[name] = `file:${file}`;
    locked[rerooted(packages, libPath)] = {
      ...entry,
      resolved: `file:${file}`,
      integrity: integrityOf(join(dir, file)),
    };
  }
  for (const [name, version] of Object.entries(extra)) {
    const have = locked[`node_modules/${name}`]?.version;
    if (have !== version) throw new Error(`the install line asks for ${name}@${version}; the libs install ${have}`);
    dependencies[name] = version;
  }
  // CommonJS, as `npm init -y` makes a project: the READMEs' examples must say how to run there (as .mjs / .mts).
  const manifest = { name: 'imgcap-pack-check', private: true, type: 'commonjs', dependencies };
  const lock = {
    name: manifest.name,
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: manifest.name, dependencies }, ...locked },
  };
  return { manifest, lock };
}

/** Writes the project into `dir` (the tarballs already there) and installs it with `npm ci --offline`. */
export function installOffline(dir, workspaceLock, tarballs, extra) {
  const { manifest, lock } = projectFiles(dir, workspaceLock, tarballs, extra);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  // onnxruntime-node's install script would fetch CUDA libraries from nuget.org; the CPU build ships in the package.
  const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
  const npm = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir, env, encoding: 'utf8' });
  if (npm.status !== 0) throw new Error(`npm ci --offline failed:\n${npm.stdout}\n${npm.stderr}`);
  return npm;
}
