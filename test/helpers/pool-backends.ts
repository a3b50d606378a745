// SPDX-License-Identifier: MIT
// The backends every pool test runs on (`js` and `host`), a pool factory, and a counting
// wrapper of a backend. `host` needs the native addon: where it cannot be loaded, its suites
// are skipped under a title that carries the loader's reason, so the skip is never silent.

import { afterAll, beforeAll, describe, vi } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { selectBackend } from '../../src/backends/select.js';
import { BackendUnavailableError } from '../../src/errors.js';
import { type Pool, createPool, createPoolOver } from '../../src/pool/pool.js';
import type { PoolOptions } from '../../src/pool/options.js';

/** The backends the pool's contract is tested on. */
export type TestedKind = 'js' | 'host';

function unavailableReason(kind: TestedKind): string | undefined {
  try {
    selectBackend(kind, {});
    return undefined;
  } catch (error) {
    if (error instanceof BackendUnavailableError) return error.reason;
    throw error;
  }
}

/** Runs `body` once per tested backend, inside `describe('<kind> backend')`. */
export function describeBackends(title: string, body: (kind: TestedKind) => void): void {
  for (const kind of ['js', 'host'] as const) {
    // Skipped only where the backend cannot load here (no addon for 'host'); the title says why.
    const reason = unavailableReason(kind);
    const name = reason === undefined ? `${title} [${kind}]` : `${title} [${kind}: unavailable, ${reason}]`;
    describe.skipIf(reason !== undefined)(name, () => body(kind));
  }
}

/** A pool of `size` bytes on `kind`, with extra options. */
export function makePool(kind: TestedKind, size: number, extra: Omit<PoolOptions, 'size' | 'backend'> = {}): Pool {
  return createPool({ size, backend: kind, ...extra });
}

/** Calls per backend method, for the "no native call on the hot path" checks. */
export type CallCounts = Record<'allocate' | 'free' | 'memset' | 'write' | 'read', number>;

/** A pool over `kind`'s backend wrapped so every call is counted. */
export function makeCountingPool(kind: TestedKind, size: number, extra: Omit<PoolOptions, 'size' | 'backend'> = {}): { pool: Pool; calls: CallCounts } {
  const inner = selectBackend(kind, {}).backend;
  const calls: CallCounts = { allocate: 0, free: 0, memset: 0, write: 0, read: 0 };
  const counting = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || !(property in calls)) return value;
      const name = property as keyof CallCounts;
      return (...args: unknown[]) => {
        calls[name]++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Backend;
  return { pool: createPoolOver({ size, backend: kind, ...extra }, { backend: counting }), calls };
}

/** Resets every count to 0. */
export function clearCounts(calls: CallCounts): void {
  for (const key of Object.keys(calls) as (keyof CallCounts)[]) calls[key] = 0;
}

/** One captured `process.emitWarning` call. */
export interface CapturedWarning {
  readonly message: string;
  readonly type: string | undefined;
  readonly code: string | undefined;
  readonly detail: string | undefined;
}

/** Runs `action` and returns the warnings it emitted (synchronously, instead of on the next tick). */
export function captureWarnings(action: () => void): CapturedWarning[] {
  const captured: CapturedWarning[] = [];
  const spy = vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error, options?: unknown) => {
    const opts = typeof options === 'object' && options !== null ? (options as Record<string, string | undefined>) : {};
    captured.push({ message: String(warning), type: opts['type'], code: opts['code'], detail: opts['detail'] });
  });
  try {
    action();
  } finally {
    spy.mockRestore();
  }
  return captured;
}

/**
 * Drops dvpp-pool's leak warnings for the rest of the file (other warnings pass through):
 * for suites whose pools are disposed with segments still live on purpose. A plain
 * replacement, not a spy, so captureWarnings' spy restores to it.
 */
export function silenceLeakWarnings(): void {
  const original = process.emitWarning;
  beforeAll(() => {
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      const options = rest[0];
      if (typeof options === 'object' && options !== null && (options as { type?: unknown }).type === 'DvppPoolLeakWarning') return;
      Reflect.apply(original, process, [warning, ...rest]);
    }) as typeof process.emitWarning;
  });
  afterAll(() => {
    process.emitWarning = original;
  });
}
