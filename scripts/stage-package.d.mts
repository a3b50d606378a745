// SPDX-License-Identifier: MIT
// Types of scripts/stage-package.mjs, for the tests that import it.
export declare function stagePackage(dir: string, options?: { arches?: ReadonlyArray<'x64' | 'arm64'> }): Promise<string>;
