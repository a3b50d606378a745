// SPDX-License-Identifier: MIT
// A child process for the acl tests whose subject is the process itself: environment variables
// read at load (ASCEND_HOME_PATH, LD_LIBRARY_PATH), aclInit once per process, and what happens
// at exit. Driven by DVPP_TEST_* variables; prints one JSON line: the outcome of each attempt.
//   DVPP_TEST_BACKEND      'acl' (default), 'himpi', 'rt' or 'auto'
//   DVPP_TEST_LIBRARY_DIR  acl.libraryDir, when set
//   DVPP_TEST_CLOSE        '0' leaves the pool open at exit (default: close it)
//   DVPP_TEST_RETRY        '1' makes a second attempt after clearing ACL_DOUBLE_FAIL_INIT
//   DVPP_TEST_WORKER       '1' also makes one attempt in a worker thread (its own environment)
//   DVPP_TEST_MAPS         '1' appends { loaded }: the ACL media libraries mapped into the process

import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { createPool } from '../../src/index.js';
import { DvppPoolError } from '../../src/errors.js';
import type { Pool } from '../../src/pool/pool.js';

const libraryDir = process.env['DVPP_TEST_LIBRARY_DIR'];
const backend = (['auto', 'himpi', 'rt'] as const).find((kind) => kind === process.env['DVPP_TEST_BACKEND']) ?? 'acl';
const open: Pool[] = [];

function attempt(): Record<string, unknown> {
  try {
    const pool = createPool({ size: 64 * 1024, backend, ...(libraryDir === undefined ? {} : { acl: { libraryDir } }) });
    open.push(pool);
    const segments = Array.from({ length: 8 }, (_, i) => pool.acquire(1000 + i));
    segments[0]?.write(new Uint8Array([1, 2, 3]));
    return { backend: pool.backend, base: pool.baseAddress.toString(), read: Array.from(segments[0]?.read(0, 3) ?? []) };
  } catch (error) {
    if (!(error instanceof DvppPoolError)) throw error;
    const { name, code, message } = error;
    const fields = error as unknown as Record<string, unknown>;
    return { error: { name, code, message, op: fields['op'], aclError: fields['aclError'], reason: fields['reason'] } };
  }
}

if (!isMainThread) {
  parentPort?.postMessage(attempt());
  for (const pool of open) pool.close();
  process.exit(0);
}

const attempts = [attempt()];
if (process.env['DVPP_TEST_WORKER'] === '1') {
  // Loader hooks from --import do not reach workers on Node 20, so the worker loads this file
  // through tsx's API. It inherits the environment and closes its pool before it ends.
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const self = JSON.stringify(import.meta.url);
  const worker = new Worker(`import(${api}).then(({ tsImport }) => tsImport(${self}, ${self}))`, { eval: true });
  attempts.push(await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject)));
  await new Promise((resolve) => worker.once('exit', resolve));
}
if (process.env['DVPP_TEST_RETRY'] === '1') {
  delete process.env['ACL_DOUBLE_FAIL_INIT'];
  attempts.push(attempt());
}
if (process.env['DVPP_TEST_CLOSE'] !== '0') for (const pool of open) pool.close();
if (process.env['DVPP_TEST_MAPS'] === '1') {
  const maps = readFileSync('/proc/self/maps', 'utf8');
  attempts.push({ loaded: ['libacl_dvpp.so', 'libacl_dvpp_mpi.so'].filter((name) => maps.includes(`/${name}\n`)) });
}
process.stdout.write(`${JSON.stringify(attempts)}\n`);
