// SPDX-License-Identifier: MIT
// Reads the symbol versions an ELF file needs at run time (`objdump -T`, the binutils of its
// architecture) and checks them against the floor the prebuilds promise: glibc 2.28 (Node 20's
// own floor) and the GLIBCXX/CXXABI/GCC versions of GCC 8. Used by scripts/prebuild.mjs (a
// build over the floor fails) and test/package/symbols.test.ts.

import { execFileSync } from 'node:child_process';

/** The newest version of each family that a prebuild may need. */
export const FLOOR = { GLIBC: '2.28', GLIBCXX: '3.4.25', CXXABI: '1.3.11', GCC: '8.0.0' };

/** The objdump for a file of `arch` ('x64' or 'arm64'): the host's, or the cross one. */
export function objdumpFor(arch) {
  if (arch === 'arm64' && process.arch !== 'arm64') return 'aarch64-linux-gnu-objdump';
  if (arch === 'x64' && process.arch !== 'x64') return 'x86_64-linux-gnu-objdump';
  return 'objdump';
}

/** Compares dotted versions numerically: -1, 0 or 1. */
export function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/**
 * The undefined (needed) versioned symbols of `file`: `[{ symbol, family, version }]`, from
 * `objdump -T` lines such as `0000000000000000      DF *UND*  0000000000000000 (GLIBC_2.34) dlopen`.
 */
export function neededSymbols(file, arch) {
  const text = execFileSync(objdumpFor(arch), ['-T', file], { encoding: 'utf8' });
  const needed = [];
  for (const line of text.split('\n')) {
    const match = /\*UND\*\s+\S+\s+(?:\(([A-Z]+)_([\d.]+)\)|([A-Z]+)_([\d.]+))\s+(\S+)$/.exec(line);
    if (match === null) continue;
    needed.push({ symbol: match[5], family: match[1] ?? match[3], version: match[2] ?? match[4] });
  }
  return needed;
}

/** The newest needed version per family, e.g. `{ GLIBC: '2.25', GCC: '4.2.0' }`. */
export function newestVersions(needed) {
  const newest = {};
  for (const { family, version } of needed) {
    if (newest[family] === undefined || compareVersions(version, newest[family]) > 0) newest[family] = version;
  }
  return newest;
}

/** The needed symbols over the floor (or of a family the floor does not know), as lines. */
export function overFloor(needed) {
  return needed
    .filter(({ family, version }) => FLOOR[family] === undefined || compareVersions(version, FLOOR[family]) > 0)
    .map(({ symbol, family, version }) => `${symbol}@${family}_${version}`);
}
