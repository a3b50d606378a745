// SPDX-License-Identifier: MIT
// Terminates worker threads while they are inside addon calls (allocate, a throwing memset,
// free in a tight loop), `argv[2]` times. Before binding.gyp defined
// NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS, the first termination usually aborted the whole
// process (SIGABRT from node-addon-api rethrowing into a terminating environment).
'use strict';

const path = require('node:path');
const { Worker } = require('node:worker_threads');

const root = path.resolve(__dirname, '..', '..');
const code = `
const addon = require('node-gyp-build')(${JSON.stringify(root)});
require('node:worker_threads').parentPort.postMessage('running');
for (;;) {
  const block = addon.allocateHost(4096);
  try { addon.memset(block, 0, 5000, 0); } catch {}
  addon.free(block);
}`;

(async () => {
  const rounds = Number(process.argv[2] ?? 30);
  for (let i = 0; i < rounds; i++) {
    const worker = new Worker(code, { eval: true });
    await new Promise((resolve) => worker.once('message', resolve));
    await new Promise((resolve) => setTimeout(resolve, i % 5));
    await worker.terminate();
  }
  console.log(`terminated ${rounds} workers mid-call`);
})();
