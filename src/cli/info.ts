// SPDX-License-Identifier: MIT
// `dvpp-pool info`: what this machine offers the pool. Which backend `auto` picks and why it
// skipped the ones before it, where the ACL runtime and each of the three device allocators
// (acldvppMalloc, hi_mpi_dvpp_malloc, aclrtMalloc) were found (or every place looked and why
// not), the native addon's file (or its load error), huge pages, and the Node version.
// Creates no block; --json prints the same facts as one object.

import { readFileSync } from 'node:fs';
import { ASCEND_MALLOC, type AclProbe, probeAcl } from '../backends/acl.js';
import { BACKEND_ENV } from '../backends/select.js';
import { type BackendsInfo, backendsInfo } from './backends-info.js';
import { BackendUnavailableError } from '../errors.js';
import { formatBytes } from '../format.js';
import { type Command, type CommandLine, UsageError, defineCommand } from './args.js';

const HELP = `Usage: dvpp-pool info [options]

Tells which backend 'auto' picks on this machine and why, where the Ascend ACL libraries
and the device allocators of the backends acl (acldvppMalloc), himpi (hi_mpi_dvpp_malloc) and
rt (aclrtMalloc) were found (or why not), whether the native addon loaded, huge pages, and the
Node version. Allocates nothing.

Options:
  --library-dir DIR  look for libascendcl.so in DIR first (as createPool's acl.libraryDir)
  --json             print one JSON object instead of text
  -h, --help         show this help
`;

/** The package's own version, read from the package.json two folders up (from src/cli or dist/cli). */
function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const version: unknown = (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}

/** One line for the runtime, then one per allocator: where it was found, or why it cannot be used. */
function aclLines(acl: AclProbe): string[] {
  if ('reason' in acl) return [`ACL libraries: not usable: ${acl.reason}`];
  const lines = [`ACL libraries: runtime ${acl.runtimePath}${acl.initializedBy === '' ? '' : `; aclInit called ${acl.initializedBy}`}`];
  for (const [kind, found] of Object.entries(acl.allocators)) {
    const call = ASCEND_MALLOC[kind as keyof typeof ASCEND_MALLOC];
    lines.push(`  backend '${kind}' (${call}): ${'path' in found ? found.path : `not usable: ${found.reason}`}`);
  }
  return lines;
}

const OPTIONS = { 'library-dir': { type: 'string' }, json: { type: 'boolean' } } as const;

async function run({ values }: CommandLine<typeof OPTIONS>): Promise<number> {
  const libraryDir = values['library-dir'];
  let backends: BackendsInfo;
  try {
    backends = backendsInfo(libraryDir === undefined ? {} : { acl: { libraryDir } });
  } catch (error) {
    // main.ts has checked $DVPP_POOL_BACKEND's value; it can still name a kind this machine lacks.
    if (error instanceof BackendUnavailableError) throw new UsageError(`$${BACKEND_ENV}: ${error.message}`);
    throw error;
  }
  const acl = probeAcl(libraryDir);
  const facts = {
    version: packageVersion(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    ...backends,
    acl,
  };
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(facts)}\n`);
    return 0;
  }
  const { auto, addon, hugePages } = backends;
  const lines = [
    `dvpp-pool ${facts.version} on Node ${facts.node} (${facts.platform})`,
    auto.kind === 'none'
      ? `backend: auto picks 'none' (createPool throws BackendUnavailableError): ${auto.fallbackReason ?? 'no backend with real memory'}`
      : `backend: auto picks '${auto.kind}'${auto.fallbackReason === undefined ? '' : `; skipped ${auto.fallbackReason}`}`,
    `${BACKEND_ENV}: ${backends.environment ?? '(not set)'}`,
    ...aclLines(acl),
    'reason' in addon ? `native addon: not loaded (${addon.reason}); no acl or host pool until it is rebuilt (npm rebuild dvpp-pool), only backend 'js' by name` : `native addon: ${addon.path}`,
    `huge pages: ${
      hugePages.hugePageBytes === undefined ? 'unknown' : `${formatBytes(hugePages.hugePageBytes)} pages, ${hugePages.hugePagesFree ?? 'unknown'} free`
    }; transparent huge pages: ${hugePages.transparentHugePages ?? 'unknown'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `dvpp-pool info`. */
export const infoCommand: Command = defineCommand({
  name: 'info',
  summary: 'show which backend auto picks and why, the ACL libraries, the addon, Node',
  help: HELP,
  usesBackend: true,
  options: OPTIONS,
  positionals: false,
  run,
});
