// `npm ci` installs exactly package-lock.json and refuses a lock that disagrees with the
// package.json files. A lock written on one platform can lack the optional packages of the
// others (the platform binaries of esbuild, rollup, Biome, lightningcss…): `npm ci` then fails or
// installs without the binary on a fresh clone elsewhere. These checks read the lock as npm does
// and fail on either problem; each is also shown to fire on a broken copy.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LOCK = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
const DESKTOP = ['darwin', 'linux', 'win32'];
const DEP_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

/** The lock entry Node would load `name` from, seen from the package at `from` (walks up node_modules). */
function resolveIn(packages, from, name) {
  let dir = from;
  for (;;) {
    const key = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[key]) return key;
    if (!dir) return null;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up === -1 ? '' : dir.slice(0, up);
  }
}

/**
 * Problems of the lock's optional packages: one that is not recorded at all, and a set of
 * platform binaries (a parent with three or more optional packages built for one CPU each) with
 * none for macOS, Linux or Windows.
 */
function optionalPackageProblems(lock) {
  const packages = lock.packages;
  const problems = [];
  for (const [key, entry] of Object.entries(packages)) {
    const optional = Object.keys(entry.optionalDependencies ?? {});
    if (optional.length === 0) continue;
    const systems = new Set();
    let binaries = 0;
    for (const name of optional) {
      const found = resolveIn(packages, key, name);
      if (!found) {
        problems.push(`${key || '(root)'}: optional ${name} is not in the lock`);
        continue;
      }
      if (!packages[found].cpu) continue;
      binaries += 1;
      for (const os of packages[found].os ?? []) systems.add(os);
    }
    if (binaries < 3) continue;
    const lacking = DESKTOP.filter((os) => !systems.has(os));
    if (lacking.length > 0) problems.push(`${key}: no optional package for ${lacking.join(', ')}`);
  }
  return problems;
}

/** Where the lock's record of a workspace (or the root) disagrees with its package.json. */
function workspaceMismatches(lock, readManifest) {
  const problems = [];
  for (const dir of ['', ...(lock.packages[''].workspaces ?? [])]) {
    const manifest = readManifest(dir);
    const recorded = lock.packages[dir] ?? {};
    if (dir && lock.packages[`node_modules/${manifest.name}`]?.resolved !== dir) {
      problems.push(`${manifest.name}: not linked to ${dir}`);
    }
    for (const field of DEP_FIELDS) {
      const want = JSON.stringify(Object.entries(manifest[field] ?? {}).sort());
      const have = JSON.stringify(Object.entries(recorded[field] ?? {}).sort());
      if (want !== have) problems.push(`${dir || '(root)'}: ${field} differ from package.json`);
    }
  }
  return problems;
}

const readManifest = (dir) => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
const copy = () => structuredClone(LOCK);

describe('package-lock.json works for npm ci on every platform', () => {
  it('records every optional package, and each platform set has macOS, Linux and Windows', () => {
    expect(optionalPackageProblems(LOCK)).toEqual([]);
    // The sets this project is known to need, so a lock that dropped one whole family still fails.
    for (const family of ['@esbuild/', '@rollup/rollup-', '@biomejs/cli-', 'lightningcss-']) {
      for (const os of DESKTOP) {
        const hit = Object.entries(LOCK.packages).some(
          ([key, entry]) => key.includes(`node_modules/${family}`) && (entry.os ?? []).includes(os),
        );
        expect(hit, `${family}* for ${os}`).toBe(true);
      }
    }
  });

  it('fails on a lock without a platform binary, or on a set that has none for a platform', () => {
    const noDarwinEsbuild = copy();
    delete noDarwinEsbuild.packages['node_modules/@esbuild/darwin-arm64'];
    expect(optionalPackageProblems(noDarwinEsbuild)).toContain(
      'node_modules/esbuild: optional @esbuild/darwin-arm64 is not in the lock',
    );

    // A set whose parent offers only Linux builds: nothing for a Mac or Windows to install.
    const linuxOnly = copy();
    for (const [key, entry] of Object.entries(linuxOnly.packages)) {
      if (key.includes('@biomejs/cli-') && entry.os && !entry.os.includes('linux')) delete linuxOnly.packages[key];
    }
    for (const name of Object.keys(linuxOnly.packages['node_modules/@biomejs/biome'].optionalDependencies)) {
      if (!linuxOnly.packages[`node_modules/${name}`]) {
        delete linuxOnly.packages['node_modules/@biomejs/biome'].optionalDependencies[name];
      }
    }
    expect(optionalPackageProblems(linuxOnly)).toContain(
      'node_modules/@biomejs/biome: no optional package for darwin, win32',
    );
  });

  it('agrees with every package.json, as npm ci demands', () => {
    expect(workspaceMismatches(LOCK, readManifest)).toEqual([]);
    const edited = (dir) => {
      const m = readManifest(dir);
      return dir === 'packages/cli' ? { ...m, dependencies: { ...m.dependencies, 'left-pad': '^1.3.0' } } : m;
    };
    expect(workspaceMismatches(LOCK, edited)).toEqual(['packages/cli: dependencies differ from package.json']);
  });
});
