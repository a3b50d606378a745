#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Builds the prebuilt addons that the npm tarball ships, in node-gyp-build's layout:
//   prebuilds/linux-x64/node.napi.glibc.node, prebuilds/linux-arm64/node.napi.glibc.node
// One Node-API build serves every Node version >= 20. Each is built by node-gyp with
// `--prebuild=true` (binding.gyp: libstdc++ linked in, glibc symbols pinned by
// scripts/prebuild/glibc-floor.c) in a staging folder, so the development build in build/ is
// never touched, and checked against the glibc 2.28 floor (scripts/prebuild/symbols.mjs): a
// file over the floor fails the build. The other architecture is cross-compiled with Debian's
// <triple>-g++: on x64, aarch64-linux-gnu-g++ (scripts/arm64-toolchain.sh installs it).
//
//   node scripts/prebuild.mjs [--arch x64,arm64] [--out DIR] [--force]
//
// A build whose inputs (sources, binding.gyp, these scripts, compiler, node-addon-api) have not
// changed since the last one is reused: the staging folder keeps a stamp of their hash.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestVersions, neededSymbols, objdumpFor, overFloor } from './prebuild/symbols.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** node-gyp-build's file name: runtime `node`, Node-API, glibc (never picked on musl). */
export const PREBUILD_NAME = 'node.napi.glibc.node';
export const ARCHES = ['x64', 'arm64'];
const TRIPLES = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

function toolchain(arch) {
  if (arch === process.arch) return { cc: process.env.CC || 'gcc', cxx: process.env.CXX || 'g++' };
  const triple = TRIPLES[arch];
  return { cc: `${triple}-gcc`, cxx: `${triple}-g++` };
}

const CROSS_HINTS = { x64: 'Debian: g++-x86-64-linux-gnu', arm64: 'run scripts/arm64-toolchain.sh (Debian: g++-aarch64-linux-gnu)' };

/** Why the prebuild of `arch` cannot be built here (a compiler or objdump missing), else undefined. */
export function missingToolchain(arch) {
  const { cc, cxx } = toolchain(arch);
  for (const tool of [cc, cxx, objdumpFor(arch)]) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      return `${tool} is not on PATH: ${arch === process.arch ? 'install a C++17 compiler and binutils' : CROSS_HINTS[arch]}`;
    }
  }
  return undefined;
}

/** npm's own node-gyp (npm sets npm_config_node_gyp for scripts), else the one beside Node. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) throw new Error(`node-gyp not found (looked at ${candidates.join(', ')}); set npm_config_node_gyp`);
  return found;
}

/** Node's headers: $npm_config_nodedir, else the prefix Node runs from (include/node). */
function nodeDir() {
  const dir = process.env.npm_config_nodedir || resolve(dirname(process.execPath), '..');
  if (!existsSync(join(dir, 'include', 'node', 'node_api.h'))) {
    throw new Error(`Node's headers are not in ${dir}/include/node (set npm_config_nodedir to a folder that has them)`);
  }
  return dir;
}

function inputHash(arch, compilers) {
  const hash = createHash('sha256');
  const files = [
    'binding.gyp',
    'scripts/prebuild.mjs',
    ...readdirSync(join(ROOT, 'scripts', 'prebuild')).map((f) => `scripts/prebuild/${f}`),
    ...readdirSync(join(ROOT, 'native')).filter((f) => /\.(cc|h)$/.test(f)).map((f) => `native/${f}`),
  ].sort();
  for (const file of files) hash.update(file).update(readFileSync(join(ROOT, file)));
  for (const tool of [compilers.cc, compilers.cxx]) hash.update(execFileSync(tool, ['--version'], { encoding: 'utf8' }));
  hash.update(arch).update(readFileSync(join(ROOT, 'node_modules', 'node-addon-api', 'package.json')));
  return hash.digest('hex');
}

function run(command, args, options) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise(output) : reject(Object.assign(new Error(`${command} exited with ${code}`), { output }))));
  });
}

/**
 * Runs `task` holding the lock folder `dir` (mkdir is atomic). The holder touches it every
 * `staleMs / 10`, so only a lock whose holder died (untouched for `staleMs`) is taken over.
 */
export async function withLock(dir, task, { staleMs = 600_000 } = {}) {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(dir, { recursive: false });
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let age = 0;
      try {
        age = Date.now() - statSync(dir).mtimeMs;
      } catch {
        continue;
      }
      if (age > staleMs) {
        // Taking over must be atomic: only one waiter's rename of the stale lock succeeds, so two
        // waiters never both remove a lock and both build (a plain rm let the second remove the
        // first one's fresh lock).
        const grave = `${dir}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
        try {
          renameSync(dir, grave);
          rmSync(grave, { recursive: true, force: true });
        } catch {
          // Another waiter took it over first; try again.
        }
      } else if (Date.now() - started > 900_000) throw new Error(`prebuild: gave up waiting for the lock ${dir}`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(dir, now, now);
    } catch {
      // Removed under us (someone cleared the cache): the build itself is still worth finishing.
    }
  }, staleMs / 10);
  // The lock holds a token: a holder that was taken over (suspended past staleMs) must not
  // remove the next holder's lock when it finishes.
  const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, 'owner'), token);
  try {
    return await task();
  } finally {
    clearInterval(heartbeat);
    let owner;
    try {
      owner = readFileSync(join(dir, 'owner'), 'utf8');
    } catch {
      owner = undefined;
    }
    if (owner === token) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Builds (or reuses) the prebuild of `arch` into `out`; resolves to its path, whether it was
 * reused, and the newest symbol version of each family it needs. One build per arch at a time,
 * across processes (tests build the x64 one from several files).
 */
export async function prebuild(arch, options = {}) {
  const cache = join(ROOT, 'node_modules', '.cache', 'dvpp-pool', 'prebuild');
  mkdirSync(cache, { recursive: true });
  return withLock(join(cache, `${arch}.lock`), () => prebuildLocked(arch, options));
}

async function prebuildLocked(arch, { out = join(ROOT, 'prebuilds'), force = false }) {
  const missing = missingToolchain(arch);
  if (missing !== undefined) throw new Error(`prebuild ${arch}: ${missing}`);
  const compilers = toolchain(arch);
  const stage = join(ROOT, 'node_modules', '.cache', 'dvpp-pool', 'prebuild', arch);
  const target = join(out, `linux-${arch}`, PREBUILD_NAME);
  const hash = inputHash(arch, compilers);
  const stamp = join(stage, 'stamp');
  const built = join(stage, 'build', 'Release', 'dvpp_pool.node');
  const current = !force && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash && existsSync(built);
  if (!current) {
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(join(stage, 'native'), { recursive: true });
    copyFileSync(join(ROOT, 'binding.gyp'), join(stage, 'binding.gyp'));
    for (const file of readdirSync(join(ROOT, 'native'))) copyFileSync(join(ROOT, 'native', file), join(stage, 'native', file));
    cpSync(join(ROOT, 'scripts', 'prebuild'), join(stage, 'scripts', 'prebuild'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules'));
    const args = [nodeGyp(), 'rebuild', `--nodedir=${nodeDir()}`, `--arch=${arch}`, '--prebuild=true', `-j`, String(availableParallelism())];
    const env = { ...process.env, CC: compilers.cc, CXX: compilers.cxx, LINK: compilers.cxx };
    try {
      await run(process.execPath, args, { cwd: stage, env });
    } catch (error) {
      const tail = String(error.output ?? '').trimEnd().split('\n').slice(-30).join('\n');
      throw new Error(`prebuild ${arch}: node-gyp failed:\n${tail}`);
    }
    writeFileSync(stamp, hash);
  }
  const needed = neededSymbols(built, arch);
  const over = overFloor(needed);
  if (over.length > 0) throw new Error(`prebuild ${arch}: needs symbol versions over the glibc 2.28 floor: ${over.join(', ')}`);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(built, target);
  return { arch, path: target, reused: current, newest: newestVersions(needed) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const option = (name) => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  const arches = (option('--arch') ?? ARCHES.join(',')).split(',');
  const unknown = arches.filter((arch) => !ARCHES.includes(arch));
  if (unknown.length > 0) {
    process.stderr.write(`prebuild: unknown --arch ${unknown.join(',')} (known: ${ARCHES.join(', ')})\n`);
    process.exit(2);
  }
  const out = resolve(option('--out') ?? join(ROOT, 'prebuilds'));
  try {
    // One at a time: each node-gyp run already uses every core.
    for (const arch of arches) {
      const result = await prebuild(arch, { out, force: argv.includes('--force') });
      const versions = Object.entries(result.newest).map(([family, version]) => `${family}_${version}`).join(' ');
      process.stdout.write(`prebuild ${arch}: ${result.path}${result.reused ? ' (reused)' : ''}; newest needed: ${versions}\n`);
    }
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
