#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// npm's install script. In an installed package it first loads the prebuilt addon for this
// platform (prebuilds/linux-<arch>/, shipped in the tarball) in a child process, and is done
// when that works: no compiler needed. Otherwise (no prebuild for this platform, or it does not
// load), and always in a git checkout (development), it builds the addon from native/ through
// node-gyp-build, as `npm_config_build_from_source=true` does too. A failed build must not
// fail the install (the package still imports, and `backend: 'js'` works), but it must not pass
// unseen either. npm hides a dependency's script output when the script succeeds, so besides
// printing node-gyp's reason to stderr, this records it in build/install-error.txt (never
// committed; a later successful build removes it). The loader, src/backends/native.ts, adds that
// file's first line to its reason, so BackendUnavailableError and `dvpp-pool info` show it.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Read by src/backends/native.ts (INSTALL_ERROR_FILE there): keep the two in step. */
const ERROR_FILE = join(ROOT, 'build', 'install-error.txt');
/** node-gyp's output kept for the reason: its tail, where the failure is. */
const KEEP_CHARS = 256 * 1024;
const DETAIL_LINES = 40;

/** The line that says why, and the lines worth keeping, from node-gyp's output. */
function explain(output) {
  const lines = output.split(/\r?\n/).map((line) => line.trimEnd()).filter((line) => line !== '');
  // A compiler's own "error:" line is the root cause; node-gyp's "stack Error:" line says what
  // was missing (make, Python, headers) or which step failed.
  // Case-insensitive, and any word ending in Error: (Python's FileNotFoundError, Node's Error: spawn ... ENOENT).
  const compiler = lines.find((line) => /\w*error:/i.test(line) && !line.includes('ERR!'));
  const stack = lines.find((line) => /ERR! stack Error:/.test(line));
  const anyError = lines.find((line) => line.includes('ERR!'));
  const cause = compiler ?? stack ?? anyError ?? lines.at(-1) ?? 'it printed nothing';
  const notable = lines.filter((line) => line.includes('ERR!') || /\w*error:/i.test(line));
  // The notable lines, then the output's own tail, where the failure is when nothing matched.
  const detail = [...notable.slice(-DETAIL_LINES), ...lines.slice(-DETAIL_LINES).filter((line) => !notable.includes(line))].slice(-2 * DETAIL_LINES);
  return { cause, detail };
}

/** Why the prebuilt addon was not used, when it was tried: part of a failed build's reason. */
let prebuildReason;

/** Records and prints why the addon is unusable: `what` the install could not do, 'build' or 'load'. */
function recordFailure(how, output, what = 'build') {
  const { cause, detail } = explain(output);
  const summary = `node-gyp-build ${how}: ${cause}`;
  // The first line is the loader's reason (native.ts); the prebuild's comes right after it.
  const before = prebuildReason === undefined ? [] : [`before that, ${prebuildReason}`];
  const text = [
    summary,
    ...before,
    `(recorded by dvpp-pool's install script, ${new Date().toISOString()}, Node ${process.version} ${process.platform} ${process.arch})`,
    '',
    ...detail,
    '',
  ].join('\n');
  try {
    mkdirSync(dirname(ERROR_FILE), { recursive: true });
    writeFileSync(ERROR_FILE, text);
  } catch (error) {
    process.stderr.write(`dvpp-pool: could not record the build failure in ${ERROR_FILE}: ${error.message}\n`);
  }
  process.stderr.write(
    `\ndvpp-pool: the native addon did not ${what}: ${summary}\n` +
      before.map((line) => `dvpp-pool: ${line}\n`).join('') +
      `dvpp-pool: createPool({ backend: 'auto' }) will throw BackendUnavailableError (only backend: 'js' works) until it is rebuilt:\n` +
      (what === 'build'
        ? 'dvpp-pool: install a C++17 compiler, make and Python, then run `npm rebuild dvpp-pool` (see docs/troubleshooting.md).\n'
        : 'dvpp-pool: the compiler worked, so the cause is the system the addon runs on (a missing library or symbol, another architecture); see docs/troubleshooting.md.\n') +
      `dvpp-pool: the reason is kept in ${ERROR_FILE}.\n`,
  );
}

/** How long loading an addon in a child may take, in ms. */
const LOAD_TIMEOUT_MS = 60_000;
/** How long the source build may take, in ms: 30 min, or $DVPP_POOL_BUILD_TIMEOUT_MS. */
const BUILD_TIMEOUT_MS = Number(process.env.DVPP_POOL_BUILD_TIMEOUT_MS) > 0 ? Number(process.env.DVPP_POOL_BUILD_TIMEOUT_MS) : 30 * 60_000;

const require = createRequire(import.meta.url);
const fromSource = process.env.npm_config_build_from_source === 'true' || existsSync(join(ROOT, '.git'));

/**
 * Loads the addon node-gyp-build picks (build/Release first, else the prebuild) in a child, so a
 * crash cannot end the install; resolves to undefined, or the line that says why it did not load.
 */
function loadInChild() {
  let loader;
  try {
    loader = require.resolve('node-gyp-build');
  } catch (error) {
    return `node-gyp-build could not be found: ${error.message}`;
  }
  // The child prints only an error's message: Node's own report starts with the throw site's
  // source line, which is no reason to show anyone.
  const code =
    'try { const p = require(process.argv[1]).path(process.argv[2]); require(p); console.log(p) } ' +
    'catch (e) { process.stderr.write(String(e && e.message || e)); process.exit(1) }';
  // SIGKILL on timeout: an addon that hangs while loading may ignore SIGTERM.
  const child = spawnSync(process.execPath, ['-e', code, loader, ROOT], { encoding: 'utf8', timeout: LOAD_TIMEOUT_MS, killSignal: 'SIGKILL' });
  if (child.status === 0) return undefined;
  if (child.error?.code === 'ETIMEDOUT') return `it did not load within ${LOAD_TIMEOUT_MS / 1000} s (it hung)`;
  // A crash while loading (a constructor's SIGSEGV) leaves no status, and the signal is the reason.
  if (child.signal !== null) return `killed by ${child.signal}`;
  const text = `${child.stderr ?? ''}${child.error?.message ?? ''}`.split('\n').map((l) => l.trim());
  // node-gyp-build's "No native build was found for platform=... arch=..." or the loader's dlopen error.
  const line = text.find((l) => /No native build|Error:|error/.test(l)) ?? text.find((l) => l !== '') ?? `exit code ${child.status}`;
  return line.replace(/^Error: /, '');
}

if (!fromSource) {
  const failed = loadInChild();
  if (failed === undefined) {
    rmSync(ERROR_FILE, { force: true });
    process.exit(0);
  }
  prebuildReason = `the prebuilt addon for ${process.platform}-${process.arch} did not load (${failed})`;
  process.stderr.write(`dvpp-pool: ${prebuildReason}; building it from source\n`);
}

let bin;
try {
  bin = require.resolve('node-gyp-build/bin.js');
} catch (error) {
  recordFailure('could not be found', error.message);
  process.exit(0);
}

let output = '';
const keep = (chunk) => {
  output += chunk;
  if (output.length > 2 * KEEP_CHARS) output = output.slice(-KEEP_CHARS);
};
// build_from_source: node-gyp-build would otherwise try the prebuild once more first.
// Its own process group (detached), so a timeout can stop the compilers and shells under it too.
const child = spawn(process.execPath, [bin], {
  cwd: ROOT,
  detached: true,
  stdio: ['inherit', 'pipe', 'pipe'],
  env: { ...process.env, npm_config_build_from_source: 'true' },
});
/** Stops the whole build: node-gyp-build and the compilers under it. */
const stopBuild = () => {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
};
// Being its own group, the build no longer gets the terminal's Ctrl-C: pass the stop on.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    stopBuild();
    process.kill(process.pid, signal);
  });
}
// A build that hangs (node-gyp fetching headers, a stuck compiler) must not hold the install forever.
let timedOut = false;
const buildTimer = setTimeout(() => {
  timedOut = true;
  stopBuild();
  // Anything left holding the pipes must not keep 'close' from coming.
  child.stdout.destroy();
  child.stderr.destroy();
}, BUILD_TIMEOUT_MS);
child.stdout.setEncoding('utf8');
child.stderr.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  keep(chunk);
});
child.stderr.on('data', (chunk) => {
  process.stderr.write(chunk);
  keep(chunk);
});
child.on('error', (error) => {
  recordFailure('could not start', `${output}\n${error.message}`);
  process.exit(0);
});
child.on('close', (code, signal) => {
  clearTimeout(buildTimer);
  if (timedOut) {
    recordFailure(`did not finish within ${BUILD_TIMEOUT_MS / 60_000} min (set DVPP_POOL_BUILD_TIMEOUT_MS to allow longer)`, output);
  } else if (code !== 0) {
    recordFailure(signal === null ? `exited with code ${code}` : `was killed by ${signal}`, output);
  } else {
    // A build can pass and still not load (a missing symbol, a wrong architecture): load it as
    // the prebuild is loaded, before calling the install a success.
    const failed = loadInChild();
    if (failed === undefined) rmSync(ERROR_FILE, { force: true });
    else recordFailure('built the addon, but it did not load', failed, 'load');
  }
  // Non-fatal either way: the install goes on.
  process.exit(0);
});
