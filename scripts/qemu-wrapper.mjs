// SPDX-License-Identifier: MIT
// The pieces of scripts/test-arm64.mjs that put paths into a shell script and into NODE_OPTIONS,
// where a space or `$(...)` in a path must stay part of it.

import { pathToFileURL } from 'node:url';

/** `text` as one sh word: single quotes, each ' written as '\''. */
export function shellQuote(text) {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A sh script that runs the arm64 `node` under `qemu` with `sysroot`'s libraries, passing its arguments on. */
export function qemuWrapper(qemu, sysroot, node) {
  return `#!/bin/sh\nexec ${shellQuote(qemu)} -L ${shellQuote(sysroot)} ${shellQuote(node)} "$@"\n`;
}

/**
 * The NODE_OPTIONS entry that preloads `file`. Node splits NODE_OPTIONS at spaces outside double
 * quotes; a file URL has no space, `"` or `\` (all percent-encoded), so quoting it is enough.
 */
export function importOption(file) {
  return `--import="${pathToFileURL(file).href}"`;
}
