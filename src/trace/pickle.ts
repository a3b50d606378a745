// SPDX-License-Identifier: MIT
// A Python pickle writer (protocol 4, without frames, which are optional) for plain data: dicts
// with str keys, lists, str, int of any size, float, bool and None. It writes only the opcodes
// that both Python's unpickler and the one inside pytorch.org/memory_viz read: EMPTY_DICT,
// EMPTY_LIST, MARK, SETITEMS, APPENDS, BININT1/BININT2/BININT, LONG1, BINFLOAT,
// SHORT_BINUNICODE/BINUNICODE, NEWTRUE, NEWFALSE, NONE. No memo: every value is written in full.

/** What `encodePickle` writes: a bigint or a safe integer is an int, any other number a float. */
export type PickleValue = null | boolean | number | bigint | string | readonly PickleValue[] | PickleDict;
/** A dict with str keys; keys whose value is `undefined` are left out (as JSON.stringify does). */
export interface PickleDict {
  readonly [key: string]: PickleValue | undefined;
}

const PROTO = 0x80;
const PROTOCOL = 4;
const STOP = 0x2e;
const MARK = 0x28;
const EMPTY_DICT = 0x7d;
const SETITEMS = 0x75;
const EMPTY_LIST = 0x5d;
const APPENDS = 0x65;
const NONE = 0x4e;
const NEWTRUE = 0x88;
const NEWFALSE = 0x89;
const BININT1 = 0x4b;
const BININT2 = 0x4d;
const BININT = 0x4a;
const LONG1 = 0x8a;
const BINFLOAT = 0x47;
const SHORT_BINUNICODE = 0x8c;
const BINUNICODE = 0x58;

/** Items per MARK ... APPENDS/SETITEMS batch, as Python's pickler writes them: memory_viz spreads each batch into one call. */
const BATCH = 1000;
/** LONG1 holds at most 255 bytes of two's complement. */
const LONG1_MAX_BYTES = 255;

class ByteSink {
  #bytes = new Uint8Array(1024);
  #length = 0;

  /** Room for `n` more bytes, at the end. */
  reserve(n: number): DataView {
    if (this.#length + n > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + n));
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
    }
    const view = new DataView(this.#bytes.buffer, this.#length, n);
    this.#length += n;
    return view;
  }

  byte(value: number): void {
    this.reserve(1).setUint8(0, value);
  }

  bytes(values: Uint8Array): void {
    const view = this.reserve(values.length);
    new Uint8Array(view.buffer, view.byteOffset, values.length).set(values);
  }

  result(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

// Lone surrogates cannot be UTF-8: TextEncoder writes U+FFFD for them, as memory_viz would read them anyway.
const utf8 = new TextEncoder();

function writeInt(sink: ByteSink, value: bigint): void {
  if (value >= 0n && value <= 0xffn) {
    sink.byte(BININT1);
    sink.byte(Number(value));
  } else if (value >= 0n && value <= 0xffffn) {
    sink.byte(BININT2);
    sink.reserve(2).setUint16(0, Number(value), true);
  } else if (value >= -(2n ** 31n) && value < 2n ** 31n) {
    sink.byte(BININT);
    sink.reserve(4).setInt32(0, Number(value), true);
  } else {
    // Little-endian two's complement in the fewest bytes that keep the sign bit right.
    const digits: number[] = [];
    let rest = value;
    do {
      digits.push(Number(BigInt.asUintN(8, rest)));
      rest >>= 8n;
    } while (!((rest === 0n && (digits.at(-1) ?? 0) < 0x80) || (rest === -1n && (digits.at(-1) ?? 0) >= 0x80)));
    if (digits.length > LONG1_MAX_BYTES) throw new RangeError(`Pickle: an int of ${digits.length} bytes is more than LONG1 holds (${LONG1_MAX_BYTES})`);
    sink.byte(LONG1);
    sink.byte(digits.length);
    sink.bytes(Uint8Array.from(digits));
  }
}

function writeString(sink: ByteSink, value: string): void {
  const encoded = utf8.encode(value);
  if (encoded.length <= 0xff) {
    sink.byte(SHORT_BINUNICODE);
    sink.byte(encoded.length);
  } else {
    sink.byte(BINUNICODE);
    sink.reserve(4).setUint32(0, encoded.length, true);
  }
  sink.bytes(encoded);
}

/** Writes `items` in MARK ... `op` batches after the empty container on the stack. */
function writeBatches<T>(sink: ByteSink, items: readonly T[], op: number, writeItem: (item: T) => void): void {
  for (let start = 0; start < items.length; start += BATCH) {
    sink.byte(MARK);
    for (const item of items.slice(start, start + BATCH)) writeItem(item);
    sink.byte(op);
  }
}

function writeValue(sink: ByteSink, value: PickleValue): void {
  if (value === null) sink.byte(NONE);
  else if (value === true) sink.byte(NEWTRUE);
  else if (value === false) sink.byte(NEWFALSE);
  else if (typeof value === 'bigint') writeInt(sink, value);
  else if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) writeInt(sink, BigInt(value));
    else {
      sink.byte(BINFLOAT);
      sink.reserve(8).setFloat64(0, value, false);
    }
  } else if (typeof value === 'string') writeString(sink, value);
  else if (Array.isArray(value)) {
    sink.byte(EMPTY_LIST);
    writeBatches(sink, value as readonly PickleValue[], APPENDS, (item) => writeValue(sink, item));
  } else {
    sink.byte(EMPTY_DICT);
    const entries = Object.entries(value as PickleDict).filter((entry): entry is [string, PickleValue] => entry[1] !== undefined);
    writeBatches(sink, entries, SETITEMS, ([key, item]) => {
      writeString(sink, key);
      writeValue(sink, item);
    });
  }
}

/**
 * `value` as a pickle that `pickle.loads` reads back equal (str keys, list for arrays).
 * @throws {RangeError} an int of more than 255 bytes.
 */
export function encodePickle(value: PickleValue): Uint8Array {
  const sink = new ByteSink();
  sink.byte(PROTO);
  sink.byte(PROTOCOL);
  writeValue(sink, value);
  sink.byte(STOP);
  return sink.result();
}
