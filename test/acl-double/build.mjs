#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Builds the ACL test double from source with the system C compiler ($CC, else `cc`) into a
// CANN-shaped folder and prints that folder. Idempotent and safe to run from many processes at
// once: the folder is named after a hash of the sources, built aside and renamed into place.
//
//   node test/acl-double/build.mjs [root]
//
// Layout (root defaults to node_modules/.cache/dvpp-pool/acl-double/<hash>):
//   lib64/libascendcl.so, libacl_dvpp.so, libacl_dvpp_mpi.so   the double (ASCEND_HOME_PATH=<root> finds it)
//   lib64/stub/ (the same three names)                           a decoy that must never be loaded
//   missing-<symbol>/lib64/...                                    the double without <symbol>

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const sources = ['acl_double.h', 'ascendcl.c', 'acl_dvpp.c', 'acl_dvpp_mpi.c', 'stub.c', 'build.mjs'];

/** Symbols for which a variant without that export is built, under `missing-<symbol>/lib64`. */
export const MISSING_SYMBOL_VARIANTS = ['acldvppFree', 'aclrtGetMemInfo', 'aclGetRecentErrMsg', 'hi_mpi_dvpp_free', 'aclrtFree'];

const run = promisify(execFile);
const cc = process.env.CC || 'cc';
const cflags = ['-shared', '-fPIC', '-O1', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-fvisibility=hidden', '-pthread'];

function sourceHash() {
  const hash = createHash('sha256');
  for (const name of sources) hash.update(name).update(readFileSync(join(here, name)));
  hash.update(cc);
  return hash.digest('hex').slice(0, 16);
}

async function compile(output, source, extra) {
  await run(cc, [...cflags, `-Wl,-soname,${output.split('/').pop()}`, '-o', output, join(here, source), ...extra]);
}

// The double proper: the two media libraries link against their sibling libascendcl.so, found
// through $ORIGIN when loaded alone and by soname when libascendcl.so is already loaded.
async function buildLibraries(lib64, defines) {
  mkdirSync(lib64, { recursive: true });
  await compile(join(lib64, 'libascendcl.so'), 'ascendcl.c', defines);
  const media = [...defines, `-L${lib64}`, '-lascendcl', '-Wl,-rpath,$ORIGIN'];
  await Promise.all([
    compile(join(lib64, 'libacl_dvpp.so'), 'acl_dvpp.c', media),
    compile(join(lib64, 'libacl_dvpp_mpi.so'), 'acl_dvpp_mpi.c', media),
  ]);
}

async function buildInto(root) {
  const stub = join(root, 'lib64', 'stub');
  await Promise.all([
    buildLibraries(join(root, 'lib64'), []).then(async () => {
      mkdirSync(stub, { recursive: true });
      await Promise.all(
        ['libascendcl.so', 'libacl_dvpp.so', 'libacl_dvpp_mpi.so'].map((name) => compile(join(stub, name), 'stub.c', [])),
      );
    }),
    ...MISSING_SYMBOL_VARIANTS.map((symbol) => buildLibraries(join(root, `missing-${symbol}`, 'lib64'), [`-DOMIT_${symbol}`])),
  ]);
}

/**
 * Builds the double into `root` (default: a cache folder named after the sources' hash) unless
 * an identical build is there already. Resolves to the root folder.
 */
export async function buildAclDouble(root) {
  const hash = sourceHash();
  const target = resolve(root ?? join(here, '..', '..', 'node_modules', '.cache', 'dvpp-pool', 'acl-double', hash));
  const stamp = join(target, 'stamp');
  const current = () => existsSync(stamp) && readFileSync(stamp, 'utf8') === hash;
  if (current()) return target;
  // Only an explicit root can hold an older build: the default root is named after the hash,
  // and removing it could pull a finished build from under a process that is using it.
  if (root !== undefined) rmSync(target, { recursive: true, force: true });
  const staging = `${target}.tmp-${process.pid}-${Date.now()}`;
  try {
    await buildInto(staging);
    writeFileSync(join(staging, 'stamp'), hash);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(staging, target);
  } catch (error) {
    // Another process may have renamed an identical build into place first; that one is as good.
    if (!current()) throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildAclDouble(process.argv[2]).then(
    (root) => process.stdout.write(`${root}\n`),
    (error) => {
      process.stderr.write(`acl-double: build failed: ${error.stderr || error.message}\n`);
      process.exitCode = 1;
    },
  );
}
