// SPDX-License-Identifier: MIT
// Where a command's picture goes: a file given with --out, else stdout. A file that cannot be
// written is a usage error (one line, exit 2), never a stack trace.

import { writeFileSync } from 'node:fs';
import { UsageError } from './args.js';

/** Writes `text` to `file`, or to stdout when `file` is undefined. @throws {UsageError} the file cannot be written. */
export function writeOutput(file: string | undefined, text: string): void {
  if (file === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new UsageError(`cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
