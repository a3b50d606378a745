// SPDX-License-Identifier: MIT
// The addon under UndefinedBehaviorSanitizer (issue 12, item 16): every native/*.cc is compiled
// with -fsanitize=undefined -fno-sanitize-recover=undefined into a cached folder
// (node_modules/.cache/dvpp-pool/ubsan/<hash>), and test/leak/native-exercise.cjs (every entry
// point, host and ACL-double blocks, empty views, a worker) runs against that build. Any
// undefined behaviour UBSan detects ends the child with its report. What this proves: no check
// of UBSan fired on the paths the exercise takes. What it does not: paths it does not take, nor
// faults outside UBSan's checks (memory errors are valgrind.sh's part, in test:stress). A control
// program built with the same flags shows that this toolchain aborts on memmove(dst, NULL, 0).
// Skipped, with the reason in its title, without a C++ compiler, the UBSan runtime or Node's headers.

import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { aclDouble } from '../helpers/acl-double.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NATIVE = join(ROOT, 'native');
const run = promisify(execFile);

const compiler = [process.env['CXX'], 'g++', 'c++'].find((c) => c !== undefined && c !== '' && spawnSync(c, ['--version']).status === 0);
const nodeHeaders = join(dirname(process.execPath), '..', 'include', 'node');
const addonApi = (createRequire(import.meta.url)('node-addon-api') as { include_dir: string }).include_dir;

const SANITIZE = ['-fsanitize=undefined', '-fno-sanitize-recover=undefined', '-g', '-O1'];
// binding.gyp's defines and flags (node_addon_api_except: C++ exceptions), restated for a direct build.
const FLAGS = [
  '-std=gnu++17', '-fPIC', '-pthread', '-fvisibility=hidden', '-fexceptions',
  '-DNAPI_VERSION=8', '-DNODE_ADDON_API_DISABLE_DEPRECATED', '-DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS',
  '-DNAPI_CPP_EXCEPTIONS', '-DBUILDING_NODE_EXTENSION', '-DNODE_GYP_MODULE_NAME=dvpp_pool',
  `-I${nodeHeaders}`, `-I${resolve(ROOT, addonApi)}`, ...SANITIZE,
];

function whyUnavailable(): string | undefined {
  if (compiler === undefined) return 'no C++ compiler ($CXX, g++ or c++)';
  if (!existsSync(join(nodeHeaders, 'node_api.h'))) return `no Node headers at ${nodeHeaders}`;
  // The driver prints the bare name when it has no such library.
  const runtime = spawnSync(compiler, ['-print-file-name=libubsan.so'], { encoding: 'utf8' }).stdout.trim();
  if (!runtime.startsWith('/') || !existsSync(runtime)) return `${compiler} has no UBSan runtime (libubsan.so)`;
  return undefined;
}

const unavailable = whyUnavailable();

/** Builds the sanitized addon once per sources, flags and compiler; returns its path. */
async function buildAddon(cxx: string): Promise<string> {
  const sources = readdirSync(NATIVE).filter((f) => f.endsWith('.cc') || f.endsWith('.h')).sort();
  const hash = createHash('sha256');
  hash.update(`${spawnSync(cxx, ['--version'], { encoding: 'utf8' }).stdout}\n${process.version}\n${FLAGS.join(' ')}\n`);
  for (const name of sources) hash.update(name).update(readFileSync(join(NATIVE, name)));
  const cache = join(ROOT, 'node_modules', '.cache', 'dvpp-pool', 'ubsan');
  const dir = join(cache, hash.digest('hex').slice(0, 16));
  const addon = join(dir, 'dvpp_pool.node');
  if (existsSync(addon)) return addon;
  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(join(cache, 'staging-'));
  try {
    const units = sources.filter((f) => f.endsWith('.cc'));
    // Two compilers at a time: the machine has two cores.
    const queue = [...units];
    const worker = async (): Promise<void> => {
      for (let unit = queue.shift(); unit !== undefined; unit = queue.shift()) {
        await run(cxx, [...FLAGS, '-c', join(NATIVE, unit), '-o', join(staging, `${unit}.o`)]);
      }
    };
    await Promise.all([worker(), worker()]);
    const objects = units.map((unit) => join(staging, `${unit}.o`));
    await run(cxx, ['-shared', ...SANITIZE, '-pthread', '-o', join(staging, 'dvpp_pool.node'), ...objects, '-ldl', '-Wl,-z,nodelete']);
    try {
      renameSync(staging, dir);
    } catch (error) {
      if (!existsSync(addon)) throw error; // another process renamed its build in first
    }
    return addon;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

const title = unavailable === undefined ? 'the addon under UBSan' : `the addon under UBSan (skipped: ${unavailable})`;

describe.skipIf(unavailable !== undefined)(title, () => {
  let addon = '';
  beforeAll(async () => {
    addon = await buildAddon(compiler!);
  }, 240_000);

  it('control: the same flags make memmove(dst, NULL, 0) abort with a UBSan report', async () => {
    const dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'dvpp-pool', 'ubsan-control-'));
    try {
      const source = join(dir, 'control.cc');
      // The pointer and length come from argc, so the compiler cannot fold the call away.
      writeFileSync(
        source,
        '#include <cstring>\nint main(int argc, char**) {\n  char buf[1];\n  const char* src = argc > 5 ? buf : nullptr;\n' +
          '  std::memmove(buf, src, argc > 5 ? 1 : 0);\n  return 0;\n}\n',
      );
      await run(compiler!, [...SANITIZE, '-o', join(dir, 'control'), source]);
      const control = spawnSync(join(dir, 'control'), { encoding: 'utf8' });
      expect(control.status).not.toBe(0);
      expect(control.stderr).toContain('null pointer passed as argument 2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the build carries the nonnull-argument check', () => {
    expect(readFileSync(addon).includes('__ubsan_handle_nonnull_arg_abort')).toBe(true);
  });

  it('native-exercise.cjs (empty views included) runs clean', () => {
    const exercise = join(ROOT, 'test', 'leak', 'native-exercise.cjs');
    const child = spawnSync(process.execPath, ['--expose-gc', exercise, 'main', aclDouble().lib64], {
      env: { ...process.env, DVPP_POOL_ADDON: addon, UBSAN_OPTIONS: 'print_stacktrace=1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(child.stderr).not.toContain('runtime error');
    expect({ status: child.status, signal: child.signal }, child.stderr).toEqual({ status: 0, signal: null });
    expect(child.stdout).toContain('native exercise (main) done');
  });
});
