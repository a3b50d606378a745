#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// npm's prepack: what `npm pack` and `npm publish` ship is made fresh. dist/ is emptied and
// compiled again (no output of a deleted source, no source-map comments), and both prebuilds
// are built (scripts/prebuild.mjs; the arm64 one needs scripts/arm64-toolchain.sh first). A
// missing prebuild fails the pack rather than publishing a package that compiles on install.

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARCHES, prebuild } from './prebuild.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--sourceMap', 'false'], { cwd: ROOT, stdio: 'inherit' });
try {
  for (const arch of ARCHES) {
    const { path, newest } = await prebuild(arch);
    process.stderr.write(`prepack: ${path} (needs ${Object.entries(newest).map(([f, v]) => `${f}_${v}`).join(' ')})\n`);
  }
} catch (error) {
  process.stderr.write(`prepack: ${error.message}\n`);
  process.exit(1);
}
