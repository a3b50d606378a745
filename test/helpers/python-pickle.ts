// SPDX-License-Identifier: MIT
// Loads pickle bytes with the real Python `pickle` module (python3 on PATH) and hands the value
// back with its Python types kept: int as bigint, float as number, str as string, bool as
// boolean, None as null, list as array, dict as a plain object (every key a str, or it throws).
// `pythonSkipReason` is undefined when python3 runs, else why the tests that need it skip.

import { spawnSync } from 'node:child_process';

/** Python's side: the unpickled value as JSON with ints, floats and dicts tagged, so nothing is lost. */
const LOADER = `
import json, pickle, sys
def tag(v):
    if isinstance(v, bool) or v is None or isinstance(v, str): return v
    if isinstance(v, int): return {"int": str(v)}
    if isinstance(v, float): return {"float": repr(v)}
    if isinstance(v, list): return [tag(x) for x in v]
    if isinstance(v, dict): return {"dict": [[tag(k), tag(x)] for k, x in v.items()]}
    raise TypeError("unexpected " + type(v).__name__)
print(json.dumps(tag(pickle.loads(sys.stdin.buffer.read()))))
`;

const probe = spawnSync('python3', ['-c', 'import pickle'], { encoding: 'utf8' });
export const pythonSkipReason: string | undefined =
  probe.error !== undefined ? `python3 is not available (${probe.error.message})` : probe.status === 0 ? undefined : `python3 failed: ${probe.stderr}`;

function untag(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(untag);
  const tagged = value as { int?: string; float?: string; dict?: [unknown, unknown][] };
  if (tagged.int !== undefined) return BigInt(tagged.int);
  if (tagged.float !== undefined) return Number(tagged.float.replace('inf', 'Infinity').replace('nan', 'NaN'));
  const object: Record<string, unknown> = {};
  for (const [key, item] of tagged.dict ?? []) {
    if (typeof key !== 'string') throw new TypeError(`a dict key of Python type other than str: ${JSON.stringify(key)}`);
    object[key] = untag(item);
  }
  return object;
}

/** `pickle.loads(bytes)` in python3, with the Python types kept as described above. */
export function pythonUnpickle(bytes: Uint8Array): unknown {
  const run = spawnSync('python3', ['-c', LOADER], { input: bytes, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`python3 could not load the pickle: ${run.stderr}`);
  return untag(JSON.parse(run.stdout));
}
