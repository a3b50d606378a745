// SPDX-License-Identifier: MIT
// Types of scripts/qemu-wrapper.mjs, for the test that imports it.
export declare function shellQuote(text: string): string;
export declare function qemuWrapper(qemu: string, sysroot: string, node: string): string;
export declare function importOption(file: string): string;
