// SPDX-License-Identifier: MIT
// The `host` backend: one anonymous mmap per block through the native addon (huge pages first,
// then normal pages with transparent huge pages advised). Argument, bounds and foreign-block
// checks happen in C++ and arrive as TypeError/RangeError; a failed mmap or munmap becomes a
// HostMemoryError. The default wherever no Ascend runtime is installed. free, memset, write, read
// and copy (a memmove) are native-backend.ts's, shared with acl; this file keeps the mmap and
// hugePageInfo().

import { readFileSync } from 'node:fs';
import { BackendUnavailableError, HostMemoryError } from '../errors.js';
import type { Backend } from './backend.js';
import { type NativeFailure, isNativeFailure, loadAddon } from './native.js';
import { createNativeBackend } from './native-backend.js';

function hostError(failure: NativeFailure, what: string): HostMemoryError {
  return new HostMemoryError(failure.op, failure.error, `${failure.message} (${what})`);
}

/**
 * Creates the host backend over the native addon.
 * @throws {BackendUnavailableError} the addon cannot be loaded; `reason` is the loader's text.
 * @example
 * const host = createHostBackend();
 * const block = host.allocate(1 << 20);
 * host.free(block);
 */
export function createHostBackend(): Backend {
  const load = loadAddon();
  if ('reason' in load) throw new BackendUnavailableError('host', load.reason);
  const addon = load.addon;
  return createNativeBackend(addon, {
    kind: 'host',
    allocate(size) {
      // Anonymous mmap gives zero pages (huge ones too), so the block is zeroed without a memset.
      const block = addon.allocateHost(size);
      if (isNativeFailure(block)) throw hostError(block, `mapping ${size} bytes`);
      return block;
    },
    error: hostError,
  });
}

/** What this machine offers the host backend in huge pages; fields are absent where unknown. */
export interface HugePageInfo {
  /** Size of one explicit huge page (`Hugepagesize` in /proc/meminfo), in bytes. */
  readonly hugePageBytes?: number;
  /** Explicit huge pages free now (`HugePages_Free`); 0 means MAP_HUGETLB will fail. */
  readonly hugePagesFree?: number;
  /** Transparent huge page mode: `always`, `madvise` or `never`. */
  readonly transparentHugePages?: string;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // not Linux, or /proc and /sys hidden: the info is simply unknown
  }
}

/** Reads huge page facts from /proc and /sys (two small files; Linux only). */
export function hugePageInfo(): HugePageInfo {
  const meminfo = readText('/proc/meminfo') ?? '';
  const pageKib = /^Hugepagesize:\s+(\d+) kB$/m.exec(meminfo)?.[1];
  const free = /^HugePages_Free:\s+(\d+)$/m.exec(meminfo)?.[1];
  const thp = /\[(\w+)\]/.exec(readText('/sys/kernel/mm/transparent_hugepage/enabled') ?? '')?.[1];
  return {
    ...(pageKib === undefined ? {} : { hugePageBytes: Number(pageKib) * 1024 }),
    ...(free === undefined ? {} : { hugePagesFree: Number(free) }),
    ...(thp === undefined ? {} : { transparentHugePages: thp }),
  };
}
