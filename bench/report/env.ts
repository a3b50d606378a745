// SPDX-License-Identifier: MIT
// The environment a result was measured in, so two result files can be told apart: Node, CPU,
// cores, load, the backend kind the pools got, block size, seeds and the git commit.

import { execFileSync } from 'node:child_process';
import { cpus, loadavg, platform, release } from 'node:os';
import { MIB } from '../../src/format.js';
import { createPool } from '../../src/index.js';
import type { BenchConfig } from '../scenarios/context.js';

export interface BenchEnv {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly cpuModel: string;
  readonly cpuCount: number;
  /** 1-minute load average when the run started: > cores means a noisy run. */
  readonly loadAverage1m: number;
  readonly backendKind: string;
  readonly backendFallbackReason?: string;
  readonly blockBytes: number;
  readonly seeds: readonly number[];
  readonly gitCommit: string | null;
  readonly gcExposed: boolean;
  readonly date: string;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null; // not a checkout (e.g. an unpacked tarball): the field says so
  }
}

/** Collects the environment; opens (and closes) one small pool to learn the backend kind. */
export function collectEnv(config: BenchConfig): BenchEnv {
  const pool = createPool({ size: MIB, backend: config.backend });
  const { kind, fallbackReason } = pool.backend;
  pool.close();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${platform()} ${release()}`,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpuCount: cpus().length,
    loadAverage1m: loadavg()[0] ?? 0,
    backendKind: kind,
    ...(fallbackReason === undefined ? {} : { backendFallbackReason: fallbackReason }),
    blockBytes: config.capacityBytes,
    seeds: config.seeds,
    gitCommit: gitCommit(),
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
    date: new Date().toISOString(),
  };
}
