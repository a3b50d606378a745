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
/** Strings of at most this many UTF-16 units are cached, up to CACHED_STRINGS of them. */
const CACHED_STRING_UNITS = 32;
const CACHED_STRINGS = 4096;
/** LONG1 holds at most 255 bytes of two's complement. */
const LONG1_MAX_BYTES = 255;

/** The pickle being written: one growing buffer, written in place. */
class ByteSink {
  #bytes = new Uint8Array(1 << 16);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;
  /** Dict keys and other short strings repeat (a trace has millions of 'addr'): written once, then copied. */
  readonly #shortStrings = new Map<string, Uint8Array>();

  /** Makes room for `n` more bytes and returns where they go; read `#bytes` only after, as it may move. */
  #claim(n: number): number {
    const at = this.#length;
    if (at + n > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, at + n));
      grown.set(this.#bytes.subarray(0, at));
      this.#bytes = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#length = at + n;
    return at;
  }

  byte(value: number): void {
    const at = this.#claim(1);
    this.#bytes[at] = value;
  }

  bytes(values: readonly number[]): void {
    const at = this.#claim(values.length);
    this.#bytes.set(values, at);
  }

  opWithUint16(op: number, value: number): void {
    const at = this.#claim(3);
    this.#bytes[at] = op;
    this.#view.setUint16(at + 1, value, true);
  }

  opWithInt32(op: number, value: number): void {
    const at = this.#claim(5);
    this.#bytes[at] = op;
    this.#view.setInt32(at + 1, value, true);
  }

  opWithFloat64(op: number, value: number): void {
    const at = this.#claim(9);
    this.#bytes[at] = op;
    this.#view.setFloat64(at + 1, value, false);
  }

  /** `value` as UTF-8 after a SHORT_BINUNICODE or BINUNICODE header, encoded in place. */
  string(value: string): void {
    const cached = this.#shortStrings.get(value);
    if (cached !== undefined) {
      const at = this.#claim(cached.length);
      this.#bytes.set(cached, at);
      return;
    }
    const at = this.#length;
    this.#encode(value);
    if (value.length <= CACHED_STRING_UNITS && this.#shortStrings.size < CACHED_STRINGS) this.#shortStrings.set(value, this.#bytes.slice(at, this.#length));
  }

  #encode(value: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit, so a short string surely fits a 1-byte length.
    const short = value.length * 3 <= 0xff;
    const header = short ? 2 : 5;
    const at = this.#claim(header + value.length * 3);
    const { written } = utf8.encodeInto(value, this.#bytes.subarray(at + header));
    this.#bytes[at] = short ? SHORT_BINUNICODE : BINUNICODE;
    if (short) this.#bytes[at + 1] = written;
    else this.#view.setUint32(at + 1, written, true);
    this.#length = at + header + written;
  }

  result(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

// Lone surrogates cannot be UTF-8: TextEncoder writes U+FFFD for them, as memory_viz would read them anyway.
const utf8 = new TextEncoder();

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function writeInt(sink: ByteSink, value: number | bigint): void {
  if (value >= 0 && value <= 0xff) sink.bytes([BININT1, Number(value)]);
  else if (value >= 0 && value <= 0xffff) sink.opWithUint16(BININT2, Number(value));
  else if (value >= INT32_MIN && value <= INT32_MAX) sink.opWithInt32(BININT, Number(value));
  else {
    // Little-endian two's complement in the fewest bytes that keep the sign bit right.
    const digits: number[] = [];
    let rest = BigInt(value);
    do {
      digits.push(Number(BigInt.asUintN(8, rest)));
      rest >>= 8n;
    } while (!((rest === 0n && (digits.at(-1) ?? 0) < 0x80) || (rest === -1n && (digits.at(-1) ?? 0) >= 0x80)));
    if (digits.length > LONG1_MAX_BYTES) throw new RangeError(`Pickle: an int of ${digits.length} bytes is more than LONG1 holds (${LONG1_MAX_BYTES})`);
    sink.bytes([LONG1, digits.length, ...digits]);
  }
}

function writeList(sink: ByteSink, list: readonly PickleValue[]): void {
  sink.byte(EMPTY_LIST);
  for (let i = 0; i < list.length; i++) {
    if (i % BATCH === 0) sink.byte(MARK);
    writeValue(sink, list[i] as PickleValue);
    if (i % BATCH === BATCH - 1 || i === list.length - 1) sink.byte(APPENDS);
  }
}

function writeDict(sink: ByteSink, dict: PickleDict): void {
  sink.byte(EMPTY_DICT);
  let written = 0;
  for (const key of Object.keys(dict)) {
    const item = dict[key];
    if (item === undefined) continue;
    if (written % BATCH === 0) {
      if (written > 0) sink.byte(SETITEMS);
      sink.byte(MARK);
    }
    sink.string(key);
    writeValue(sink, item);
    written++;
  }
  if (written > 0) sink.byte(SETITEMS);
}

function writeValue(sink: ByteSink, value: PickleValue): void {
  if (value === null) sink.byte(NONE);
  else if (value === true) sink.byte(NEWTRUE);
  else if (value === false) sink.byte(NEWFALSE);
  else if (typeof value === 'bigint' || Number.isSafeInteger(value)) writeInt(sink, value as number | bigint);
  else if (typeof value === 'number') sink.opWithFloat64(BINFLOAT, value);
  else if (typeof value === 'string') sink.string(value);
  else if (Array.isArray(value)) writeList(sink, value as readonly PickleValue[]);
  else writeDict(sink, value as PickleDict);
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
