// SPDX-License-Identifier: MIT
// The only module that loads the native addon (binding.gyp target `dvpp_pool`). It loads on the
// first call to loadAddon(), never at import, so `import` works on any machine; a failed load is
// kept as the loader's own error text, never swallowed, plus the build failure the install
// script recorded, if any. Also declares the addon's surface: what native/addon.cc exports,
// argument by argument.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A block the addon made: a frozen object that native code recognises by its type tag. */
export interface NativeBlock {
  /** Address of the first byte; a multiple of 128. */
  readonly base: bigint;
  /** Usable bytes. */
  readonly size: number;
}

/** An expected failure of the memory system, returned (not thrown) by the addon. */
export interface NativeFailure {
  /** The call that failed: `'mmap'`, `'munmap'`, or an ACL function. */
  readonly op: string;
  /** Its error number: errno for host memory, aclError for ACL. */
  readonly error: number;
  readonly message: string;
  /** aclGetRecentErrMsg() text, when the library had one. */
  readonly recentErrMsg?: string;
}

/**
 * The addon's exports. Every function checks its arguments in C++ and throws TypeError (wrong
 * type, foreign object) or RangeError (bad number, out of bounds, freed block).
 */
export interface DvppPoolAddon {
  /** Maps `size` bytes (a positive safe integer) of host memory. */
  allocateHost(size: number): NativeBlock | NativeFailure;
  /** Frees the block's memory; false when it was already freed. */
  free(block: NativeBlock): boolean | NativeFailure;
  /** Sets `length` bytes at `offset` to `value & 0xff`. */
  memset(block: NativeBlock, offset: number, length: number, value: number): NativeFailure | undefined;
  /** Copies all bytes of `src` to `offset`. */
  write(block: NativeBlock, offset: number, src: ArrayBufferView): NativeFailure | undefined;
  /** Fills `dst` from `offset`. */
  read(block: NativeBlock, offset: number, dst: ArrayBufferView): NativeFailure | undefined;
  /**
   * Copies `length` bytes from `srcOffset` to `dstOffset` of the block, inside the memory kind
   * (host: memmove; acl: one aclrtMemcpy device to device). RangeError for overlapping ranges.
   */
  copy(block: NativeBlock, dstOffset: number, srcOffset: number, length: number): NativeFailure | undefined;
  /**
   * Loads the ACL libraries (first `libraryDir`, then $ASCEND_HOME_PATH/lib64,
   * $ASCEND_TOOLKIT_HOME/lib64, the default search) and `allocator`'s own library, then aclInit
   * once per process, aclrtSetDevice(deviceId) and one malloc of `size` bytes: acldvppMalloc
   * (`acl`), hi_mpi_dvpp_malloc (`himpi`) or aclrtMalloc with ACL_MEM_MALLOC_HUGE_FIRST (`rt`).
   * `{ reason }` when no usable library was found; `{ requested, inUse, limit }` when the
   * process's DVPP blocks (`acl` and `himpi`) would pass `dvppLimit` bytes, refused before any ACL
   * call; a failure names the call that failed.
   */
  allocateAcl(
    size: number,
    deviceId: number,
    libraryDir: string | undefined,
    allocator: AscendAllocator,
    dvppLimit: number,
  ): NativeBlock | NativeFailure | AddressSpaceRefusal | { readonly reason: string };
  /**
   * Loads the ACL libraries as allocateAcl does and says which files, for `allocator` or, when
   * it is undefined, for all three; calls no ACL function.
   */
  aclProbe(libraryDir: string | undefined, allocator?: AscendAllocator): AclLibraryProbe | { readonly reason: string };
  /**
   * The block's entry in the process-wide table of shared blocks, made on the first call; a
   * borrowed block gives its owner's. RangeError for a freed block.
   */
  share(block: NativeBlock): NativeShareEntry;
  /**
   * A borrowed block, in this environment, on the memory of the entry `id` (any environment's),
   * checked against `base` and `size`. Its free throws a TypeError; its accesses throw a
   * RangeError once the owner freed the block. RangeError when the entry is gone or is not that
   * block; a failure when this thread could not be readied (Ascend kinds: aclrtSetDevice).
   */
  borrow(id: number, base: bigint, size: number): NativeBlock | NativeFailure;
  /** This environment's id in the process-wide thread table: the same on every call, never 0. */
  registerThread(): number;
  /**
   * False once the environment of `id` ended (worker end or terminate, process.exit in a worker,
   * the main thread's end). RangeError for an id registerThread never returned.
   */
  threadAlive(id: number): boolean;
}

/** A block's entry in the addon's table of shared blocks. */
export interface NativeShareEntry {
  readonly id: number;
  readonly base: bigint;
  readonly size: number;
}

/** The device allocator of each Ascend backend kind. */
export type AscendAllocator = 'acl' | 'himpi' | 'rt';

/** What allocateAcl returns for a DVPP block the process's address space cannot take. */
export interface AddressSpaceRefusal {
  /** Bytes asked. */
  readonly requested: number;
  /** Bytes of DVPP memory the process's live blocks held. */
  readonly inUse: number;
  /** The limit in force, in bytes. */
  readonly limit: number;
}

/** Where aclProbe found the runtime, who initialised ACL, and each allocator asked about. */
export interface AclLibraryProbe {
  readonly runtimePath: string;
  /** `'by dvpp-pool'`, `'by the application'`, or empty before the first block. */
  readonly initializedBy: string;
  /** The file each allocator's functions came from, or why they could not be used. */
  readonly allocators: { readonly [kind in AscendAllocator]?: { readonly path: string } | { readonly reason: string } };
}

/** What loadAddon() found: the addon and the file it came from, or why it could not load. */
export type AddonLoad = { readonly addon: DvppPoolAddon; readonly path: string } | { readonly reason: string };

/** True when an addon call returned a failure rather than its result. */
export function isNativeFailure(value: unknown): value is NativeFailure {
  return typeof value === 'object' && value !== null && 'op' in value && 'error' in value;
}

// Two levels up from both src/backends/native.ts (vitest) and dist/backends/native.js.
const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Where scripts/install.mjs records, inside the package, why the addon did not build at install
 * (npm hides a dependency's install output): its first line says why, the rest is node-gyp's.
 */
export const INSTALL_ERROR_FILE = 'build/install-error.txt';

let loaded: AddonLoad | undefined;

/** The install script's record of a failed build under `root`, as one line for a reason. */
function installFailure(root: string): string | undefined {
  const file = join(root, INSTALL_ERROR_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    // No record is the usual case: the build passed, or the install script did not run.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `the install script's record ${file} could not be read: ${error instanceof Error ? error.message : String(error)}`;
  }
  const first = text.split('\n', 1)[0]?.trim() ?? '';
  return `at install, the build failed: ${first === '' ? '(no reason recorded)' : first} (node-gyp's output: ${file})`;
}

/**
 * @internal Loads the addon of the package at `root`, with no caching: the addon and its file,
 * or `{ reason }` with the loader's text and any build failure recorded at install. Never throws.
 */
export function loadAddonFrom(root: string): AddonLoad {
  const require = createRequire(import.meta.url);
  try {
    const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };
    const path = nodeGypBuild.path(root);
    const addon = require(path) as DvppPoolAddon;
    return { addon, path };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const atInstall = installFailure(root);
    return { reason: atInstall === undefined ? reason : `${reason}; ${atInstall}` };
  }
}

/**
 * Loads the addon on the first call and returns the same answer on every later one.
 * Never throws: a build or load failure comes back as `{ reason }` with the loader's text and,
 * when the install script recorded one, why the build failed at install.
 */
export function loadAddon(): AddonLoad {
  loaded ??= loadAddonFrom(PACKAGE_ROOT);
  return loaded;
}
