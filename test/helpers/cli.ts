// SPDX-License-Identifier: MIT
// Runs the built `dvpp-pool` command (dist/cli/main.js, which `npm test` builds first) in a
// child process and returns its exit code and output, for the tests under test/cli/: to the end
// (runCli), or as a live child that a test can signal once its output shows a given line (startCli).

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The command's entry point in the build output. */
export const MAIN = resolve(ROOT, 'dist/cli/main.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function requireBuild(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'npm run build' first ('npm test' does)`);
}

/** The child's environment: the default backend choice must not depend on the developer's shell. */
function childEnv(env: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return { ...process.env, DVPP_POOL_BACKEND: '', ...env };
}

/**
 * Runs `dvpp-pool ...args` with `input` on stdin and `env` over the test's environment; stdout
 * is a pipe, so the command prints plain lines.
 */
export function runCli(args: readonly string[], input?: string, env: Readonly<Record<string, string>> = {}): CliResult {
  requireBuild();
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input: input ?? '',
    timeout: 60_000,
    env: childEnv(env),
  });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A running `dvpp-pool` child (see {@link startCli}). */
export interface LiveCli {
  readonly child: ChildProcess;
  /** Resolves once stdout has a line matching `pattern` (true), or the child ended without one (false). */
  waitForLine(pattern: RegExp): Promise<boolean>;
  /** Resolves when the child has ended: its exit code (null when a signal ended it), signal and output. */
  readonly done: Promise<CliResult & { readonly signal: NodeJS.Signals | null }>;
}

/** Starts `dvpp-pool ...args` with `env` over the test's environment, stdin closed, output collected. */
export function startCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): LiveCli {
  requireBuild();
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let closed = false;
  const watchers: { pattern: RegExp; resolve: (seen: boolean) => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    for (const watcher of watchers.splice(0)) {
      if (watcher.pattern.test(stdout)) watcher.resolve(true);
      else watchers.push(watcher);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status, signal) => {
      closed = true;
      for (const watcher of watchers.splice(0)) watcher.resolve(false);
      resolve({ status, signal, stdout, stderr });
    });
  });
  const waitForLine = (pattern: RegExp): Promise<boolean> => {
    const multiline = new RegExp(pattern.source, pattern.flags.includes('m') ? pattern.flags : `${pattern.flags}m`);
    if (multiline.test(stdout)) return Promise.resolve(true);
    if (closed) return Promise.resolve(false);
    return new Promise((resolve) => watchers.push({ pattern: multiline, resolve }));
  };
  return { child, waitForLine, done };
}

/** True when `stderr` is exactly one line of the form `dvpp-pool: ...` with no stack trace. */
export function isOneLineError(stderr: string): boolean {
  const lines = stderr.split('\n').filter((line) => line !== '');
  return lines.length === 1 && lines[0]!.startsWith('dvpp-pool: ') && !/\n\s+at /.test(stderr);
}
