// SPDX-License-Identifier: MIT
// The fuzz's child process: runs one part of test/helpers/fuzz.ts and prints its report as one
// JSON line. Run in a child so that a native crash ends this process with a signal, which the
// parent reports with the seed, instead of taking the test runner down.
//   node --no-warnings --import tsx test/fuzz/child.ts <api|native> <seed> <calls> [aclLibraryDir]

import { runFuzz } from '../helpers/fuzz.js';

const [part, seed, calls, libraryDir] = process.argv.slice(2);
if ((part !== 'api' && part !== 'native') || seed === undefined || calls === undefined) {
  throw new Error('usage: child.ts <api|native> <seed> <calls> [aclLibraryDir]');
}
const report = await runFuzz(part, Number(seed), Number(calls), libraryDir);
process.stdout.write(`${JSON.stringify(report)}\n`);
