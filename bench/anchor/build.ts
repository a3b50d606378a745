// SPDX-License-Identifier: MIT
// Compiles the C++ anchor (bench/anchor/*.cc) at bench time with the system compiler ($CXX, else
// c++, else g++) into node_modules/.cache/dvpp-pool/anchor/<hash>/, the hash covering the sources,
// the compiler's version and the flags. No binary is ever committed. Without a compiler the
// result carries the reason, and the bench reports the anchor as not measured, never a number.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The optimisation level the reference measurements used (suballocators.md §4). */
export const ANCHOR_FLAGS = ['-O2', '-std=c++17', '-DNDEBUG'] as const;
const SOURCES = ['replay.cc', 'offset_allocator.cc', 'offset_allocator.h'] as const;

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');

export type AnchorBuild =
  | { readonly ok: true; readonly binary: string; readonly compiler: string }
  /** `missingCompiler` tells "this machine has no C++ compiler" from "the sources did not build". */
  | { readonly ok: false; readonly reason: string; readonly missingCompiler: boolean };

function findCompiler(): { command: string; version: string } | undefined {
  const candidates = [process.env['CXX'], 'c++', 'g++'].filter((c): c is string => c !== undefined && c !== '');
  for (const command of candidates) {
    const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return { command, version: probe.stdout.split('\n')[0] ?? command };
  }
  return undefined;
}

let cached: AnchorBuild | undefined;

/** Builds the anchor once per process (and once per source/compiler version on this machine). */
export function buildAnchor(): AnchorBuild {
  cached ??= build();
  return cached;
}

function build(): AnchorBuild {
  const compiler = findCompiler();
  if (compiler === undefined) {
    return { ok: false, missingCompiler: true, reason: 'no C++ compiler found ($CXX, c++ or g++)' };
  }
  const hash = createHash('sha256');
  hash.update(`${compiler.command}\n${compiler.version}\n${ANCHOR_FLAGS.join(' ')}\n`);
  for (const source of SOURCES) hash.update(readFileSync(join(here, source)));
  const cacheRoot = join(repoRoot, 'node_modules', '.cache', 'dvpp-pool', 'anchor');
  const dir = join(cacheRoot, hash.digest('hex').slice(0, 16));
  const binary = join(dir, 'replay');
  const label = `${compiler.command} (${compiler.version}) ${ANCHOR_FLAGS.join(' ')}`;
  if (existsSync(binary)) return { ok: true, binary, compiler: label };

  // Build beside the final folder, then rename it into place: a concurrent bench or test sees
  // either no folder or a complete one, never a half-written binary.
  mkdirSync(cacheRoot, { recursive: true });
  const staging = mkdtempSync(join(cacheRoot, 'staging-'));
  try {
    const args = [...ANCHOR_FLAGS, '-o', join(staging, 'replay'), join(here, 'replay.cc'), join(here, 'offset_allocator.cc')];
    const run = spawnSync(compiler.command, args, { encoding: 'utf8' });
    if (run.status !== 0) {
      return { ok: false, missingCompiler: false, reason: `${label} failed: ${(run.stderr || String(run.error)).trim().slice(0, 500)}` };
    }
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another process renamed its build in first: use that one.
      if (!existsSync(binary)) throw error;
    }
    return { ok: true, binary, compiler: label };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
