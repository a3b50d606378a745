// SPDX-License-Identifier: MIT
// The js backend against the shared Backend contract, plus what is particular to it.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createHostBackend } from '../../../src/backends/host.js';
import { FakeAddressSpace, JS_MAX_BLOCK_BYTES, createJsBackend } from '../../../src/backends/js.js';
import { HostMemoryError } from '../../../src/errors.js';
import { createPool } from '../../../src/pool/pool.js';
import { backendContract } from './backend-contract.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

backendContract('js', createJsBackend, () => {
  const host = createHostBackend();
  const block = host.allocate(4096);
  return { block, release: () => host.free(block) };
});

describe('js backend', () => {
  it('gives every block its own 128-aligned base, never reused, far below 2^53', () => {
    const backend = createJsBackend();
    const blocks = [128, 256, 4096, 128, 64 * 1024].map((size) => backend.allocate(size));
    backend.free(blocks[1]!);
    blocks.push(backend.allocate(256), createJsBackend().allocate(128));
    const ranges = blocks.map((block) => [block.base, block.base + BigInt(block.size)] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (const [base, end] of ranges) {
      expect(base % 128n).toBe(0n);
      expect(base).toBeGreaterThan(0n);
      expect(end).toBeLessThanOrEqual(BigInt(Number.MAX_SAFE_INTEGER));
    }
    // Disjoint and not even adjacent: one block's end (or an address just past it) is never another's.
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThan(ranges[i - 1]![1]);
  });

  it('throws a coded HostMemoryError, not a wrap-around, when the fake address space is used up', () => {
    const space = new FakeAddressSpace(0x1_0000, 0x5_0000);
    expect(space.take(128)).toBe(0x1_0000);
    // The next base is past a 64 KiB gap (0x3_0000): 128 KiB are left below the end.
    expect(() => space.take(0x2_0000 + 128)).toThrow(HostMemoryError);
    expect(() => space.take(0x2_0000 + 128)).toThrow(/fake address space of the 'js' backend is used up/);
    // A failed take changes nothing; what still fits is handed out, and then nothing is left.
    expect(space.take(0x2_0000)).toBe(0x3_0000);
    expect(() => space.take(128)).toThrow(expect.objectContaining({ code: 'ERR_DVPP_HOST_MEMORY', errno: 12 }));
  });

  it('refuses a size above JS_MAX_BLOCK_BYTES with a RangeError naming options.size and the limit', () => {
    const backend = createJsBackend();
    expect(JS_MAX_BLOCK_BYTES).toBe(2 ** 32);
    for (const size of [JS_MAX_BLOCK_BYTES + 128, 16 * 2 ** 30]) {
      expect(() => backend.allocate(size)).toThrow(RangeError);
      expect(() => backend.allocate(size)).toThrow(/4294967296 .* for options\.size /);
      expect(() => backend.allocate(size)).not.toThrow(/Invalid typed array length/);
    }
    expect(() => createPool({ size: JS_MAX_BLOCK_BYTES + 128, backend: 'js' })).toThrow(/^Expected .*4294967296.* for options\.size but received 4294967424 of type number$/);
  });

  it('turns a failed ArrayBuffer allocation into a coded HostMemoryError (ulimit -v in a child)', () => {
    // 4 GB of address space lets Node start but not map a 4 GiB ArrayBuffer. The child runs the
    // build output (`npm test` builds first): tsx's WebAssembly cannot start under that limit.
    const built = resolve(ROOT, 'dist/backends/js.js');
    if (!existsSync(built)) throw new Error(`${built} is missing: run 'npm run build' first ('npm test' does)`);
    const script = [
      "const { createJsBackend } = await import('./dist/backends/js.js');",
      'try { createJsBackend().allocate(2 ** 32); console.log("allocated"); }',
      'catch (error) { console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message })); }',
    ].join('\n');
    const run = spawnSync('bash', ['-c', 'ulimit -v 4000000 && exec "$0" --input-type=module', process.execPath], {
      cwd: ROOT,
      input: script,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      name: 'HostMemoryError',
      code: 'ERR_DVPP_HOST_MEMORY',
      message: expect.stringMatching(/^new ArrayBuffer failed with errno 12: .*4294967296 bytes/),
    });
  });

  it('refuses a view over a detached buffer on write and read with the TypeError host gives, naming src or dst', () => {
    const backend = createJsBackend();
    const block = backend.allocate(4096);
    for (const make of [(b: ArrayBuffer) => new Uint8Array(b, 8, 32), (b: ArrayBuffer) => new DataView(b, 8, 32), (b: ArrayBuffer) => new Float64Array(b)]) {
      const buffer = new ArrayBuffer(64);
      const view = make(buffer);
      structuredClone(buffer, { transfer: [buffer] });
      for (const [name, call] of [['src', () => backend.write(block, 0, view)], ['dst', () => backend.read(block, 0, view)]] as const) {
        expect(call).toThrow(TypeError);
        expect(call).toThrow(new RegExp(`^Expected a TypedArray or DataView over a buffer that is not detached for ${name} but received object \\[object \\w+\\] of type object$`));
      }
    }
  });

  it('refuses a view left past the end of a resizable buffer that shrank with host\'s RangeError, not a detached one', () => {
    const backend = createJsBackend();
    const block = backend.allocate(4096);
    const Resizable = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(length: number): void };
    const shrunk = (make: (buffer: ArrayBuffer) => ArrayBufferView): ArrayBufferView => {
      const buffer = new Resizable(256, { maxByteLength: 1024 });
      const view = make(buffer);
      buffer.resize(16);
      return view;
    };
    const views = [
      shrunk((b) => new Uint8Array(b, 64, 128)),
      shrunk((b) => new Uint8Array(b, 32)),
      shrunk((b) => new DataView(b, 64, 128)),
      shrunk((b) => new DataView(b, 32)),
    ];
    for (const view of views) {
      expect(() => backend.write(block, 0, view)).toThrow(new RangeError('The view given for src reaches past the end of its buffer'));
      expect(() => backend.read(block, 0, view)).toThrow(new RangeError('The view given for dst reaches past the end of its buffer'));
    }
    // A length-tracking view that still fits is its current bytes.
    const buffer = new Resizable(64, { maxByteLength: 1024 });
    const tracking = new Uint8Array(buffer, 8);
    buffer.resize(24);
    backend.write(block, 0, Uint8Array.from({ length: 16 }, (_, i) => i + 1));
    backend.read(block, 0, tracking);
    expect([...tracking]).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('reads a view\'s buffer, offset and length through the built-in getters, never the view\'s own', () => {
    const backend = createJsBackend();
    const block = backend.allocate(4096);
    let ran = 0;
    const hostile = <T extends ArrayBufferView>(view: T): T => {
      for (const key of ['buffer', 'byteOffset', 'byteLength', 'length']) {
        Object.defineProperty(view, key, { get: () => { ran++; throw new Error('user code ran'); } });
      }
      return view;
    };
    backend.write(block, 0, hostile(new Uint8Array([9, 8, 7, 6]).subarray(1)));
    const out = hostile(new DataView(new ArrayBuffer(5), 1, 3));
    backend.read(block, 0, out);
    expect([out.getUint8(0), out.getUint8(1), out.getUint8(2)]).toEqual([8, 7, 6]);
    expect(ran).toBe(0);
  });

  it('asks for a positive multiple of 128', () => {
    const backend = createJsBackend();
    for (const size of [0, -128, 100, 128.5, Number.NaN]) expect(() => backend.allocate(size)).toThrow(RangeError);
  });
});
