#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// `npm run lint:package`: stages and packs the package (scripts/stage-package.mjs, this
// machine's prebuild only unless --arch says more), then runs publint --strict on it and attw on
// the tarball with the ESM-only profile (the package is ESM; README "Install" says what CommonJS
// needs).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stagePackage } from './stage-package.mjs';

const require = createRequire(import.meta.url);
const i = process.argv.indexOf('--arch');
const work = mkdtempSync(join(tmpdir(), 'dvpp-pool-lint-'));
let failed = false;
try {
  const stage = join(work, 'stage');
  const tarball = await stagePackage(stage, { arches: i === -1 ? [process.arch] : process.argv[i + 1].split(',') });
  const publint = join(dirname(require.resolve('typescript/package.json')), '..', 'publint', 'src', 'cli.js');
  const attw = join(dirname(require.resolve('typescript/package.json')), '..', '@arethetypeswrong', 'cli', 'dist', 'index.js');
  for (const args of [[publint, '--strict', stage], [attw, tarball, '--profile', 'esm-only']]) {
    failed = spawnSync(process.execPath, args, { stdio: 'inherit' }).status !== 0 || failed;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
