// SPDX-License-Identifier: MIT
// Types of scripts/prebuild.mjs, for the tests that import it.
export declare const PREBUILD_NAME: string;
export declare const ARCHES: readonly ['x64', 'arm64'];
export interface PrebuildResult {
  readonly arch: string;
  /** The file written, prebuilds/linux-<arch>/node.napi.glibc.node by default. */
  readonly path: string;
  /** True when the staged build was current and only copied. */
  readonly reused: boolean;
  /** The newest needed symbol version per family, e.g. { GLIBC: '2.25' }. */
  readonly newest: Readonly<Record<string, string>>;
}
/** Why the prebuild of `arch` cannot be built here (a compiler or objdump missing), else undefined. */
export declare function missingToolchain(arch: 'x64' | 'arm64'): string | undefined;
/** Runs `task` holding the lock folder `dir`; a lock untouched for `staleMs` (its holder died) is taken over. */
export declare function withLock<T>(dir: string, task: () => Promise<T>, options?: { staleMs?: number }): Promise<T>;
export declare function prebuild(arch: 'x64' | 'arm64', options?: { out?: string; force?: boolean }): Promise<PrebuildResult>;
