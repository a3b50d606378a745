#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Lays out the npm package in a folder of its own and packs it, as `npm pack` in a fresh clone
// would after prepack: package.json, README.md, LICENSE, CHANGELOG.md, docs/, native/,
// binding.gyp, scripts/install.mjs, a dist/ compiled from src/ into the folder (so no stale
// output of a deleted source), and the prebuilds asked for. The repository's own dist/, build/
// and prebuilds/ are not touched. Used by test/package/tarball.test.ts and lint-package.mjs.
//
//   node scripts/stage-package.mjs DIR [--arch x64,arm64]    prints the tarball's path (default: this machine's arch)

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prebuild } from './prebuild.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const COPIED = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'binding.gyp', 'scripts/install.mjs', 'native', 'docs'];

/** Stages the package in `dir` (emptied first) and packs it there; resolves to the .tgz path. */
export async function stagePackage(dir, { arches = [process.arch] } = {}) {
  const stage = resolve(dir);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const entry of COPIED) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(stage, entry), { recursive: true });
  }
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--sourceMap', 'false', '--outDir', join(stage, 'dist')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const arch of arches) await prebuild(arch, { out: join(stage, 'prebuilds') });
  const name = execFileSync('npm', ['pack', '--ignore-scripts', '--silent'], { cwd: stage, encoding: 'utf8' }).trim().split('\n').at(-1);
  return join(stage, name);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  const i = process.argv.indexOf('--arch');
  if (dir === undefined || dir.startsWith('--')) {
    process.stderr.write('usage: node scripts/stage-package.mjs DIR [--arch x64,arm64]\n');
    process.exit(2);
  }
  try {
    const tarball = await stagePackage(dir, { arches: i === -1 ? [process.arch] : process.argv[i + 1].split(',') });
    process.stdout.write(`${tarball}\n`);
  } catch (error) {
    process.stderr.write(`stage-package: ${error.stderr || error.message}\n`);
    process.exit(1);
  }
}
