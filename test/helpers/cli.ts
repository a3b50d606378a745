// SPDX-License-Identifier: MIT
// Runs the built `dvpp-pool` command (dist/cli/main.js, which `npm test` builds first) in a
// child process and returns its exit code and output, for the tests under test/cli/.

import { spawnSync } from 'node:child_process';
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

/** Runs `dvpp-pool ...args` with `input` on stdin; stdout is a pipe, so the command prints plain lines. */
export function runCli(args: readonly string[], input?: string): CliResult {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'npm run build' first ('npm test' does)`);
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input: input ?? '',
    timeout: 60_000,
    // The default backend choice must not depend on the developer's shell.
    env: { ...process.env, DVPP_POOL_BACKEND: '' },
  });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** True when `stderr` is exactly one line of the form `dvpp-pool: ...` with no stack trace. */
export function isOneLineError(stderr: string): boolean {
  const lines = stderr.split('\n').filter((line) => line !== '');
  return lines.length === 1 && lines[0]!.startsWith('dvpp-pool: ') && !/\n\s+at /.test(stderr);
}
