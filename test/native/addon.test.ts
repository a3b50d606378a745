// SPDX-License-Identifier: MIT
// The raw addon surface, loaded the way native.ts loads it (node-gyp-build at the repo root):
// alignment, argument and bounds checks, foreign objects, detached and resizable views, double
// free, and the three release paths (explicit, GC finalizer, exit of a process or worker) in
// child processes so a crash could not take the test runner down.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DvppPoolAddon, NativeBlock } from '../../src/backends/native.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const addon = (require('node-gyp-build') as (dir: string) => DvppPoolAddon)(ROOT);

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const live: NativeBlock[] = [];

function allocate(size = 4096): NativeBlock {
  const block = addon.allocateHost(size);
  if ('op' in block) throw new Error(`allocateHost(${size}) failed: ${block.message}`);
  live.push(block);
  return block;
}

afterEach(() => {
  for (const block of live.splice(0)) addon.free(block);
});

/** Runs `script` (CommonJS) in a fresh node with the repo root as cwd. */
function runChild(script: string, flags: string[] = []): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...flags, '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

// Shared prelude of the child scripts: the addon, and the process's virtual size in KiB.
const PRELUDE = `
const addon = require('node-gyp-build')(process.cwd());
const vmKib = () => Number(/VmSize:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]);
`;
const GIB_IN_KIB = 1 << 20;

// Resizable ArrayBuffers (ES2024) run on Node 20, but the project's lib is ES2023.
const ResizableArrayBuffer = ArrayBuffer as unknown as new (
  length: number,
  options: { maxByteLength: number },
) => ArrayBuffer & { resize(length: number): void };

describe('exports', () => {
  it('has the six host functions, the two acl ones, share/borrow and the thread table, nothing else', () => {
    expect(Object.keys(addon).sort()).toEqual([
      'aclProbe', 'allocateAcl', 'allocateHost', 'borrow', 'copy', 'free', 'memset', 'read', 'registerThread', 'share', 'threadAlive', 'write',
    ]);
  });
});

describe('allocateHost', () => {
  it.each([1, 127, 128, 4096, 100_000, 3 << 20])('gives a 128-aligned frozen block of %i bytes', (size) => {
    const block = allocate(size);
    expect(block.base % 128n).toBe(0n);
    expect(block.size).toBe(size);
    expect(Object.keys(block)).toEqual(['base', 'size']);
    expect(Object.isFrozen(block)).toBe(true);
  });

  it('rejects sizes that are not positive safe integers', () => {
    for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => addon.allocateHost(size)).toThrow(RangeError);
    }
    for (const size of ['4096', 4096n, null, undefined, {}]) {
      expect(() => addon.allocateHost(size as number)).toThrow(TypeError);
    }
    expect(() => addon.allocateHost(-1)).toThrow('Expected positive safe integer for size but received -1 of type number');
  });

  it('returns mmap failures as { op, error, message }', () => {
    expect(addon.allocateHost(2 ** 52)).toMatchObject({ op: 'mmap', error: expect.any(Number), message: expect.any(String) });
  });
});

describe('bounds', () => {
  it('rejects ranges past the end without overflowing', () => {
    const block = allocate(4096);
    expect(() => addon.memset(block, 4096, 1, 0)).toThrow('Range [4096, 4097) is outside the block of 4096 bytes');
    expect(() => addon.memset(block, 1, 4096, 0)).toThrow(RangeError);
    expect(() => addon.memset(block, MAX_SAFE, MAX_SAFE, 0)).toThrow(RangeError);
    expect(() => addon.memset(block, 4095, MAX_SAFE, 0)).toThrow(RangeError);
    expect(() => addon.write(block, MAX_SAFE, new Uint8Array(2))).toThrow(RangeError);
    expect(() => addon.read(block, 4000, new Uint8Array(97))).toThrow(RangeError);
    expect(addon.memset(block, 4096, 0, 0)).toBeUndefined();
  });

  it.each([-1, -0.5, 0.5, Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 2 ** 53, 2 ** 64])(
    'rejects offset and length %s with a RangeError',
    (bad) => {
      const block = allocate();
      expect(() => addon.memset(block, bad, 1, 0)).toThrow(RangeError);
      expect(() => addon.memset(block, 0, bad, 0)).toThrow(RangeError);
      expect(() => addon.write(block, bad, new Uint8Array(1))).toThrow(RangeError);
      expect(() => addon.read(block, bad, new Uint8Array(1))).toThrow(RangeError);
    },
  );

  it('names the argument and what it expected', () => {
    const block = allocate();
    expect(() => addon.memset(block, Number.NaN, 1, 0)).toThrow('Expected non-negative safe integer for offset but received NaN of type number');
    expect(() => addon.memset(block, 0, '1' as unknown as number, 0)).toThrow(
      new TypeError('Expected non-negative safe integer for length but received "1" of type string'),
    );
    expect(() => addon.memset(block, 0, 1, '1' as unknown as number)).toThrow(new TypeError('Expected number for value but received "1" of type string'));
    expect(() => addon.memset(block, 0, 1, undefined as unknown as number)).toThrow(TypeError);
    expect(() => addon.write(block, 0n as unknown as number, new Uint8Array(1))).toThrow(TypeError);
  });

  it('uses the low 8 bits of any number as the memset value', () => {
    const block = allocate();
    const byte = new Uint8Array(1);
    for (const [value, expected] of [[0x1ff, 0xff], [-1, 0xff], [Number.NaN, 0], [Number.POSITIVE_INFINITY, 0], [2 ** 40 + 3, 3], [7.9, 7]] as const) {
      addon.memset(block, 0, 1, value);
      addon.read(block, 0, byte);
      expect(byte[0]).toBe(expected);
    }
  });
});

describe('copy', () => {
  /** A block of `size` bytes, each byte its offset's low 8 bits. */
  function numbered(size = 4096): NativeBlock {
    const block = allocate(size);
    addon.write(block, 0, Uint8Array.from({ length: size }, (_, i) => i & 0xff));
    return block;
  }

  function bytesOf(block: NativeBlock): Uint8Array {
    const bytes = new Uint8Array(block.size);
    addon.read(block, 0, bytes);
    return bytes;
  }

  /** Runs `call`, which must throw `type`, and checks it changed no byte of `block`. */
  function refused(block: NativeBlock, type: typeof TypeError | typeof RangeError, call: () => unknown, message?: string): void {
    const before = bytesOf(block);
    expect(call).toThrow(type);
    if (message !== undefined) expect(call).toThrow(message);
    expect(bytesOf(block)).toEqual(before);
  }

  it('copies length bytes between two ranges of the block and returns undefined', () => {
    const block = numbered();
    expect(addon.copy(block, 1000, 10, 300)).toBeUndefined();
    const bytes = bytesOf(block);
    expect([...bytes.subarray(1000, 1300)]).toEqual(Array.from({ length: 300 }, (_, i) => (10 + i) & 0xff));
    expect(bytes[999]).toBe(999 & 0xff);
    expect(bytes[1300]).toBe(1300 & 0xff);
    expect(addon.copy(block, 4095, 0, 1)).toBeUndefined();
    expect(bytesOf(block)[4095]).toBe(0);
  });

  it('refuses overlapping ranges with a RangeError naming both', () => {
    const block = numbered();
    refused(block, RangeError, () => addon.copy(block, 10, 0, 11), 'Source [0, 11) and destination [10, 21) of the copy overlap');
    refused(block, RangeError, () => addon.copy(block, 0, 10, 11), 'Source [10, 21) and destination [0, 11) of the copy overlap');
    refused(block, RangeError, () => addon.copy(block, 7, 7, 1));
    // Touching is not overlapping; empty ranges never overlap.
    expect(addon.copy(block, 10, 0, 10)).toBeUndefined();
    expect(addon.copy(block, 7, 7, 0)).toBeUndefined();
  });

  it('checks both ranges against the block without overflowing, even for length 0', () => {
    const block = numbered();
    const outside = (call: () => unknown, message?: string) => refused(block, RangeError, call, message);
    outside(() => addon.copy(block, 4096, 0, 1), 'Range [4096, 4097) is outside the block of 4096 bytes');
    outside(() => addon.copy(block, 0, 4000, 97), 'Range [4000, 4097) is outside the block of 4096 bytes');
    outside(() => addon.copy(block, 4097, 0, 0));
    outside(() => addon.copy(block, 0, 4097, 0));
    outside(() => addon.copy(block, MAX_SAFE, 0, 1));
    outside(() => addon.copy(block, 0, MAX_SAFE, 1));
    outside(() => addon.copy(block, 0, 128, MAX_SAFE));
    outside(() => addon.copy(block, MAX_SAFE, MAX_SAFE, MAX_SAFE));
    outside(() => addon.copy(block, 4095, 0, MAX_SAFE));
    expect(addon.copy(block, 4096, 4096, 0)).toBeUndefined();
  });

  it.each([-1, -0, -0.5, 0.5, Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 2 ** 53, 2 ** 53 + 2, 2 ** 64, -(2 ** 53)])(
    'refuses %s as dstOffset, srcOffset or length with a RangeError naming it',
    (bad) => {
      const block = numbered();
      // -0 is an integer, so it is 0: a valid offset and a valid length.
      if (Object.is(bad, -0)) {
        expect(addon.copy(block, bad, 128, 1)).toBeUndefined();
        expect(addon.copy(block, 128, 0, bad)).toBeUndefined();
        return;
      }
      const shown = String(bad);
      refused(block, RangeError, () => addon.copy(block, bad, 0, 1), `Expected non-negative safe integer for dstOffset but received ${shown} of type number`);
      refused(block, RangeError, () => addon.copy(block, 128, bad, 1), `Expected non-negative safe integer for srcOffset but received ${shown} of type number`);
      refused(block, RangeError, () => addon.copy(block, 128, 0, bad), `Expected non-negative safe integer for length but received ${shown} of type number`);
    },
  );

  it('refuses arguments that are not numbers, and missing ones, with a TypeError', () => {
    const block = numbered();
    for (const bad of ['1', 1n, null, undefined, {}, [1], Symbol('x'), () => 1, new Number(1)]) {
      refused(block, TypeError, () => addon.copy(block, bad as number, 0, 1));
      refused(block, TypeError, () => addon.copy(block, 128, bad as number, 1));
      refused(block, TypeError, () => addon.copy(block, 128, 0, bad as number));
    }
    const partial = addon.copy as unknown as (...args: unknown[]) => unknown;
    refused(block, TypeError, () => partial(block, 128, 0));
    refused(block, TypeError, () => partial(block));
    refused(block, TypeError, () => partial());
  });

  it('refuses a freed block with the RangeError of every other access, and checks the arguments first', () => {
    const block = allocate();
    addon.free(block);
    expect(() => addon.copy(block, 128, 0, 1)).toThrow(new RangeError('The block was freed: it has no bytes left to access'));
    expect(() => addon.copy(block, 0, 0, 0)).toThrow(RangeError);
    expect(() => addon.copy(block, 'x' as unknown as number, 0, 0)).toThrow(TypeError);
  });
});

describe('views', () => {
  it('takes TypedArrays of any element type, DataViews and SharedArrayBuffer views', () => {
    const block = allocate();
    addon.write(block, 0, new Float64Array([1.5]));
    const back = new Float64Array(1);
    addon.read(block, 0, back);
    expect(back[0]).toBe(1.5);
    addon.write(block, 8, new DataView(new Uint8Array([9, 8, 7]).buffer, 1, 2));
    const shared = new Uint8Array(new SharedArrayBuffer(4));
    addon.read(block, 8, shared);
    expect([...shared]).toEqual([8, 7, 0, 0]);
  });

  it('rejects what is not a view', () => {
    const block = allocate();
    for (const bad of [new ArrayBuffer(4), [1, 2], 'abcd', null, undefined, 4, {}]) {
      expect(() => addon.write(block, 0, bad as ArrayBufferView)).toThrow(TypeError);
      expect(() => addon.read(block, 0, bad as ArrayBufferView)).toThrow(TypeError);
    }
    expect(() => addon.write(block, 0, [1] as unknown as ArrayBufferView)).toThrow('Expected a TypedArray or DataView for src');
    expect(() => addon.read(block, 0, {} as ArrayBufferView)).toThrow('Expected a TypedArray or DataView for dst');
  });

  it('rejects a view over a detached buffer', () => {
    const block = allocate();
    const view = new Uint8Array(8);
    structuredClone(view.buffer, { transfer: [view.buffer] });
    expect(() => addon.write(block, 0, view)).toThrow(/not detached for src/);
    expect(() => addon.read(block, 0, new DataView(view.buffer))).toThrow(TypeError);
  });

  it('follows resizable buffers and rejects a view left past the end by a shrink', () => {
    const block = allocate();
    const buffer = new ResizableArrayBuffer(16, { maxByteLength: 64 });
    const tracking = new Uint8Array(buffer);
    const fixed = new Uint8Array(buffer, 8, 8);
    buffer.resize(4);
    expect(() => addon.write(block, 0, fixed)).toThrow(RangeError);
    expect(() => addon.write(block, 0, new DataView(buffer, 0, 4))).not.toThrow();
    expect(() => addon.read(block, 0, tracking)).not.toThrow();
    buffer.resize(64);
    addon.memset(block, 0, 64, 3);
    addon.read(block, 0, tracking);
    expect(tracking[63]).toBe(3);
  });
});

describe('foreign objects', () => {
  const { port1, port2 } = new MessageChannel();
  afterAll(() => {
    port1.close();
    port2.close();
  });

  function foreigners(block: NativeBlock): [string, unknown][] {
    return [
      ['a plain object', {}],
      ['a look-alike', { base: block.base, size: block.size }],
      ['a structured clone of a block', structuredClone(block)],
      ['a Proxy of a block', new Proxy(block, {})],
      ['a Proxy with throwing traps', new Proxy({}, { get: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); } })],
      ['an object inheriting from a block', Object.create(block)],
      ['a native-wrapped MessagePort', port1],
      ['a native Hash', createHash('sha256')],
      ['a function', () => block],
      ['null', null],
      ['undefined', undefined],
      ['a number', 42],
      ['a bigint', block.base],
      ['a string', 'block'],
      ['a symbol', Symbol('block')],
    ];
  }

  it('rejects every one with a TypeError from every function', () => {
    const block = allocate();
    for (const [what, value] of foreigners(block)) {
      const foreign = value as NativeBlock;
      const calls: [string, () => unknown][] = [
        ['free', () => addon.free(foreign)],
        ['memset', () => addon.memset(foreign, 0, 1, 0)],
        ['write', () => addon.write(foreign, 0, new Uint8Array(1))],
        ['read', () => addon.read(foreign, 0, new Uint8Array(1))],
        ['copy', () => addon.copy(foreign, 128, 0, 1)],
      ];
      for (const [name, call] of calls) {
        expect(call, `${name}(${what})`).toThrow(TypeError);
        expect(call, `${name}(${what})`).toThrow(/Expected a block made by this addon for block/);
      }
    }
  });

  it('ignores the receiver: a block as `this` does not stand in for the block argument', () => {
    const block = allocate();
    expect(() => Reflect.apply(addon.memset, block, [{}, 0, 1, 0])).toThrow(TypeError);
    expect(() => Reflect.apply(addon.copy, block, [{}, 128, 0, 1])).toThrow(TypeError);
    expect(Reflect.apply(addon.free, {}, [block])).toBe(true);
  });
});

describe('free', () => {
  it('frees once, then returns false', () => {
    const block = allocate();
    expect(addon.free(block)).toBe(true);
    expect(addon.free(block)).toBe(false);
    expect(addon.free(block)).toBe(false);
  });

  it('turns every later access into a RangeError', () => {
    const block = allocate();
    addon.free(block);
    expect(() => addon.memset(block, 0, 1, 0)).toThrow(new RangeError('The block was freed: it has no bytes left to access'));
    expect(() => addon.write(block, 0, new Uint8Array(1))).toThrow(RangeError);
    expect(() => addon.read(block, 0, new Uint8Array(1))).toThrow(RangeError);
    expect(block.base % 128n).toBe(0n);
  });
});

describe('release paths in a child process', () => {
  it('finalizes blocks that JS drops', () => {
    // 32 blocks of 64 MiB reserve 2 GiB of address space; untouched, they cost no memory.
    const { status, stdout, stderr } = runChild(
      `${PRELUDE}
      (async () => {
        const before = vmKib();
        let blocks = Array.from({ length: 32 }, () => addon.allocateHost(64 << 20));
        const during = vmKib();
        blocks = undefined;
        for (let i = 0; i < 20 && vmKib() > before + (1 << 19); i++) {
          globalThis.gc();
          await new Promise((r) => setTimeout(r, 20));
        }
        console.log(JSON.stringify({ before, during, after: vmKib() }));
      })();`,
      ['--expose-gc'],
    );
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const { before, during, after } = JSON.parse(stdout) as { before: number; during: number; after: number };
    expect(during - before).toBeGreaterThanOrEqual(2 * GIB_IN_KIB);
    expect(during - after).toBeGreaterThanOrEqual(1.5 * GIB_IN_KIB);
  });

  it.each([
    ['at the end of the script', ''],
    ['through process.exit()', 'process.exit(0);'],
  ])('exits cleanly with live blocks %s', (_how, exit) => {
    const { status, signal, stdout, stderr } = runChild(
      `${PRELUDE}
      const block = addon.allocateHost(1 << 20);
      addon.memset(block, 0, 1 << 20, 1);
      globalThis.keep = [block, addon.allocateHost(4096)];
      console.log('allocated');
      ${exit}`,
    );
    expect({ status, signal, stderr }).toEqual({ status: 0, signal: null, stderr: '' });
    expect(stdout.trim()).toBe('allocated');
  });

  it.each([
    ['ends on its own', 'port.close()'],
    ['calls process.exit()', 'process.exit(0)'],
    ['is terminated', undefined],
  ])('releases the blocks of a worker that %s', (_how, exit) => {
    // The worker waits for the parent to measure it before it ends (or is terminated).
    const workerCode = `
      const addon = require('node-gyp-build')(process.cwd());
      const block = addon.allocateHost(1 << 30);
      globalThis.keep = [block];
      const port = require('worker_threads').parentPort;
      port.once('message', () => ${exit ?? '{}'});
      port.postMessage('ready');`;
    const { status, stdout, stderr } = runChild(
      `${PRELUDE}
      const { Worker } = require('worker_threads');
      const worker = new Worker(${JSON.stringify(workerCode)}, { eval: true });
      let during;
      worker.on('message', () => {
        during = vmKib();
        ${exit === undefined ? 'worker.terminate();' : "worker.postMessage('end');"}
      });
      worker.on('exit', (code) => setTimeout(() => console.log(JSON.stringify({ code, during, after: vmKib() })), 20));`,
    );
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const { during, after } = JSON.parse(stdout) as { during: number; after: number };
    // The worker's 1 GiB block is gone once the worker is: released by its environment's teardown.
    expect(during - after).toBeGreaterThanOrEqual(GIB_IN_KIB);
  });
});
