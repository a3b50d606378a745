// SPDX-License-Identifier: MIT
// Types of scripts/prebuild/symbols.mjs, for the tests that import it.
export interface NeededSymbol {
  readonly symbol: string;
  /** GLIBC, GLIBCXX, CXXABI, GCC, ... */
  readonly family: string;
  readonly version: string;
}
export declare const FLOOR: Readonly<Record<'GLIBC' | 'GLIBCXX' | 'CXXABI' | 'GCC', string>>;
export declare function objdumpFor(arch: string): string;
export declare function compareVersions(a: string, b: string): number;
export declare function neededSymbols(file: string, arch: string): NeededSymbol[];
export declare function newestVersions(needed: readonly NeededSymbol[]): Record<string, string>;
export declare function overFloor(needed: readonly NeededSymbol[]): string[];
