// SPDX-License-Identifier: MIT
// The "nothing leaked" check on the ACL double's call log: every successful acldvppMalloc is
// matched by exactly one later acldvppFree of its pointer, and no acldvppFree names a pointer
// that was not live. A failed free counts as the one free (dvpp-pool never retries it).

import { type AclCall, devPtrOf } from './acl-double.js';

/** What the ledger found: blocks allocated and freed, and every problem as a sentence. */
export interface Ledger {
  readonly mallocs: number;
  readonly frees: number;
  readonly problems: string[];
}

/** Checks the acldvppMalloc/acldvppFree pairs of `calls` (one process's log, in order). */
export function ledger(calls: readonly AclCall[]): Ledger {
  const live = new Set<bigint>();
  const problems: string[] = [];
  let mallocs = 0;
  let frees = 0;
  for (const call of calls) {
    if (call.name === 'acldvppMalloc' && call.ret === 0) {
      mallocs++;
      live.add(devPtrOf(call));
    } else if (call.name === 'acldvppFree') {
      frees++;
      const pointer = devPtrOf(call);
      if (!live.delete(pointer)) problems.push(`acldvppFree of 0x${pointer.toString(16)}, which is not live: ${call.line}`);
    }
  }
  for (const pointer of live) problems.push(`acldvppMalloc 0x${pointer.toString(16)} was never freed`);
  return { mallocs, frees, problems };
}
