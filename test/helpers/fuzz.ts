// SPDX-License-Identifier: MIT
// The bad-input fuzz: feeds seeded mixes of valid and hostile values (test/helpers/hostile.ts),
// and hostile receivers through .call, to every public function (part 'api') or every export of
// the native addon (part 'native'). The oracle (thrownKind): a call returns, or throws (or
// rejects with) a TypeError or RangeError whose message is one of the project's own
// (PROJECT_ERROR_MESSAGES: validate.ts's "Expected <what> for <name> but received <value> of type
// <type>" and the few other deliberate ones), a coded DvppPoolError, or the input's own exception
// unchanged (a HostileAccess from its traps and getters, V8's TypeError for a revoked Proxy); an
// aborted acquireAsync may reject with its signal's DOMException. V8's own messages ("Cannot
// read properties of undefined", "... is not a function") are failures, except for a class
// method called on a foreign receiver or a class called without `new`, where the language's
// TypeError is the answer. Each failure is recorded with its target, call number, arguments and
// stack. The message builders are fuzzed too: they must render any value without throwing.
// Every pool must validate() at batch end.
// Runs inside a child process (test/fuzz/child.ts), so a native crash shows as a signal.

import { DVPP_MAX_BLOCK_BYTES, segmentSize as segmentSizeFn } from '../../src/constants.js';
import { argumentError } from '../../src/engine/messages.js';
import { invalidMessage } from '../../src/validate.js';
import { loadAddon, type DvppPoolAddon, type NativeBlock } from '../../src/backends/native.js';
import * as api from '../../src/index.js';
import { DvppPoolError, type Pool, type Scope, type Segment } from '../../src/index.js';
import { Scope as ScopeClass } from '../../src/pool/scope.js';
import { Segment as SegmentClass } from '../../src/pool/segment.js';
import { HostileAccess, HostileValues } from './hostile.js';
import { XorShift32 } from '../../bench/trace/rng.js';

/** What one fuzz run did; printed by the child as JSON. */
export interface FuzzReport {
  readonly part: 'api' | 'native';
  readonly seed: number;
  calls: number;
  /** Calls per target. */
  readonly targets: Record<string, number>;
  /** Outcomes: 'returned', 'TypeError', 'RangeError', 'HostileAccess', an error code, 'rejected:<kind>'. */
  readonly outcomes: Record<string, number>;
  /** pool.validate() runs at batch ends, all passed unless a failure says otherwise. */
  validated: number;
  /** Up to 50 failures, at most 3 of each kind. */
  readonly failures: string[];
  /** Every failure, kept or not. */
  failureCount?: number;
  /** Why the part could not run (the addon did not load). */
  skipped?: string;
}

const BATCH = 1000;

/** Renders anything for a failure message without running its code. */
function show(value: unknown): string {
  try {
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'string') return JSON.stringify(value.slice(0, 60));
    if (typeof value === 'function') return 'function';
    if (typeof value !== 'object' || value === null) return String(value);
    if (ArrayBuffer.isView(value)) return `${value.constructor.name}`;
    return `object ${Object.prototype.toString.call(value)}`;
  } catch {
    return 'object (throws when inspected)';
  }
}

/** A thrown value for a failure: its class, message and stack (the stack says where it came from). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return show(error);
  const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).slice(0, 8);
  return [`${error.name}: ${error.message}`, ...frames].join('\n');
}

/**
 * Every message of a TypeError or RangeError the project throws on purpose, one pattern per
 * message template, each with where it is thrown. Everything else that is a TypeError or
 * RangeError (V8's "Cannot read properties of undefined", "Cannot convert a Symbol value to a
 * string", "Invalid typed array length", a Node-API status text) is a bug in the library, and
 * the fuzz fails on it. A new deliberate message needs a pattern here (the fuzz names it).
 * Found with: grep -rn "TypeError\|RangeError" src native
 */
export const PROJECT_ERROR_MESSAGES: ReadonlyArray<{ readonly pattern: RegExp; readonly from: string }> = [
  {
    // The one argument-error shape: validate.ts invalidMessage / numberError, engine/messages.ts
    // argumentError, native/arguments.cc Expected (the addon's type names include 'external').
    pattern: /^Expected .+ for \S.* but received .* of type (undefined|null|boolean|number|string|symbol|bigint|object|function|external)$/s,
    from: 'src/validate.ts, src/engine/messages.ts, native/arguments.cc',
  },
  { pattern: /^Unknown option \S+; known options are: .+$/s, from: 'src/validate.ts rejectUnknownKeys, src/pool/options.ts' },
  { pattern: /^Range \[\d+, \d+\) is outside the segment's \d+ bytes$/, from: 'src/pool/segment.ts checkRange' },
  { pattern: /^Range \[\d+, \d+\) is outside the block of \d+ bytes$/, from: 'src/backends/js.ts, native/arguments.cc RequireRange' },
  { pattern: /^The block was freed: it has no bytes left to access$/, from: 'src/backends/js.ts, native/block.cc' },
  { pattern: /^Source \[\d+, \d+\) and destination \[\d+, \d+\) of the copy overlap$/, from: 'src/backends/js.ts, native/arguments.cc RequireDisjoint' },
  { pattern: /^The view given for \S+ reaches past the end of its buffer$/, from: 'native/arguments.cc RequireView' },
  {
    pattern: /^len \d+ is larger than the pool can ever hold: its footprint is \d+ bytes and the largest block the pool has or may grow is \d+ bytes, so acquireAsync would wait forever$/,
    from: 'src/pool/pool.ts acquireAsync',
  },
  { pattern: /^The pool's addresses end at 0x[0-9a-f]+, beyond 2\^53: /, from: 'src/compat/pyacl.ts createAclCompat' },
  {
    // Both wordings of "out of address order" (the second since issue 12, item 11).
    pattern: /^[\w.]+\[\d+\] (starts at \d+, before the (end \d+ of the range listed before it|range listed before it at \d+) \(lists are in address order\)|ends at \d+, past the capacity \d+)$/,
    from: 'src/viz/check.ts checkRanges / placeRanges',
  },
  {
    // The wordings of the pool of blocks (issue 14): per block, in address order within it.
    pattern: /^[\w.]+\[\d+\] (starts at \d+, before the range listed before it at \d+ \(lists are in address order within a block\)|ends at \d+, past the end of block \d+ \(\d+ bytes\))$/,
    from: 'src/viz/check.ts placeRanges',
  },
  { pattern: /^[\w.]+\[\d+\] \(block \d+\) has bytes \[\d+, \d+\) that no segment or free range covers/, from: 'src/viz/check.ts requireExactCover' },
  { pattern: /^[\w.]+\[\d+\] \[\d+, \d+\) overlaps [\w.]+\[\d+\] \[\d+, \d+\)$/, from: 'src/viz/check.ts rejectOverlaps' },
  { pattern: /^stepBytes must be a positive multiple of 128, got /, from: 'src/trace/min-pool.ts (not reached by the fuzz)' },
  { pattern: /^[\w.]+ lists no block; a pool has at least its first, block 0$/, from: 'src/viz/check.ts (snapshot blocks)' },
  { pattern: /^[\w.]+\[\d+\]\.block is \d+, a block the snapshot's blocks do not list$/, from: 'src/viz/check.ts (snapshot blocks)' },
  { pattern: /^Cannot (share|adopt a segment): the pool was not created with shared: true$/, from: 'src/pool/pool.ts share / adopt' },
  { pattern: /^Cannot share the segment: its pool was not created with shared: true$/, from: 'src/pool/segment.ts toShared' },
  { pattern: /^A shared pool takes at most \d+ attachments over its life; this would be attachment \d+$/, from: 'src/pool/shared-sync.ts (attachPool)' },
];

/**
 * V8's TypeError for any operation on a revoked Proxy. Only the fuzz's inputs are revoked
 * Proxies, so this is the input's own exception, like a HostileAccess from a throwing trap (the
 * library reading an option or a field of such an input cannot avoid it). The library's message
 * builders must still not throw on one: the 'message builders' targets check that.
 */
const REVOKED_PROXY = /^Cannot perform '[^']+' on a proxy that has been revoked$/;

/** True when `message` is one of the project's deliberate TypeError/RangeError messages. */
export function isProjectMessage(message: string): boolean {
  return PROJECT_ERROR_MESSAGES.some(({ pattern }) => pattern.test(message));
}

/**
 * The oracle: the outcome key of a thrown (or, with `rejected`, a rejection) value, or undefined
 * when it is a failure. Accepted: the hostile input's own HostileAccess; a DvppPoolError with an
 * ERR_DVPP_ code; a TypeError or RangeError of exactly those classes whose message is one of
 * {@link PROJECT_ERROR_MESSAGES}; V8's TypeError for touching a revoked Proxy (also the input's
 * own); for a rejection, an AbortSignal's default DOMException.
 * With `foreignReceiver` (a class method called on an object that is not an instance the library
 * made of that class, or a class called without `new`), any TypeError is the language's answer
 * and is accepted too, counted apart as 'TypeError (foreign receiver)'.
 */
export function thrownKind(error: unknown, rejected: boolean, foreignReceiver = false): string | undefined {
  if (error instanceof HostileAccess) return 'HostileAccess';
  if (error instanceof DvppPoolError) return typeof error.code === 'string' && error.code.startsWith('ERR_DVPP_') ? error.code : undefined;
  if (error instanceof TypeError || error instanceof RangeError) {
    const proto = Object.getPrototypeOf(error) as unknown;
    if (proto !== TypeError.prototype && proto !== RangeError.prototype) return undefined;
    if (isProjectMessage(error.message)) return error.name;
    if (proto === TypeError.prototype && REVOKED_PROXY.test(error.message)) return 'RevokedProxy';
    return foreignReceiver && proto === TypeError.prototype ? 'TypeError (foreign receiver)' : undefined;
  }
  // acquireAsync rejects with signal.reason; the fuzz's signals abort with the default DOMException.
  if (rejected && error instanceof DOMException && (error.name === 'AbortError' || error.name === 'TimeoutError')) return error.name;
  return undefined;
}

/** Shared state and argument makers of one run. */
class Context {
  readonly rng: XorShift32;
  readonly hostile: HostileValues;
  readonly report: FuzzReport;
  readonly pending: Promise<void>[] = [];
  current = '';
  callIndex = 0;
  args: unknown[] = [];
  /** Objects the library made (pools, segments, scopes): genuine receivers of their class's methods. */
  readonly made = new WeakSet<object>();
  /** Whether the next invoke's receiver is not an instance the library made of the method's class. */
  foreign = false;

  constructor(part: 'api' | 'native', seed: number) {
    this.rng = new XorShift32(seed);
    this.hostile = new HostileValues(this.rng);
    this.report = { part, seed, calls: 0, targets: {}, outcomes: {}, validated: 0, failures: [] };
  }

  /** `valid()` about 70% of the time, else a hostile value. */
  arg<T>(valid: () => T): T | unknown {
    return this.rng.chance(0.7) ? valid() : this.hostile.next();
  }

  /** The receiver of a plain function (which must not care): `valid` about 90% of the time, else a hostile one. */
  self(valid: unknown): unknown {
    return this.rng.chance(0.9) ? valid : this.hostile.next();
  }

  /**
   * The receiver of a class method: `valid` about 90% of the time, else a hostile one. Marks the
   * next invoke as having a foreign receiver unless the pick is a genuine instance of `valid`'s class.
   */
  receiver(valid: object): unknown {
    const chosen = this.self(valid);
    const genuine =
      chosen === valid ||
      (typeof chosen === 'object' && chosen !== null && this.made.has(chosen) && Object.getPrototypeOf(chosen) === Object.getPrototypeOf(valid));
    this.foreign = !genuine;
    return chosen;
  }

  pick<T>(items: readonly T[]): T | undefined {
    return items[this.rng.int(0, Math.max(0, items.length - 1))];
  }

  count(key: string): void {
    this.report.outcomes[key] = (this.report.outcomes[key] ?? 0) + 1;
  }

  /** Failures kept per kind (target + first line, digits dropped), so one frequent bug cannot hide another. */
  readonly #kinds = new Map<string, number>();

  fail(what: string): void {
    this.record(this.current, `seed ${this.report.seed}, call #${this.callIndex} ${this.current}(${this.args.map(show).join(', ')}): ${what}`, what);
  }

  /** Keeps `line` unless 50 failures, or 3 of the same kind, are kept already; counts every one. */
  record(target: string, line: string, what: string): void {
    this.report.failureCount = (this.report.failureCount ?? 0) + 1;
    const kind = `${target}: ${what.split('\n')[0]!.replace(/\d+/g, 'N')}`;
    const seen = this.#kinds.get(kind) ?? 0;
    this.#kinds.set(kind, seen + 1);
    if (this.report.failures.length < 50 && seen < 3) this.report.failures.push(line);
  }

  /** Calls `fn` on `self` with `args`, classifies the outcome, and returns the result (or undefined). */
  invoke(name: string, fn: unknown, self: unknown, args: unknown[]): unknown {
    this.current = name;
    this.args = args;
    const foreign = this.foreign;
    this.foreign = false;
    this.callIndex++;
    this.report.calls++;
    this.report.targets[name] = (this.report.targets[name] ?? 0) + 1;
    let result: unknown;
    try {
      result = Reflect.apply(fn as (...a: unknown[]) => unknown, self, args);
    } catch (error) {
      const kind = thrownKind(error, false, foreign);
      if (kind === undefined) this.fail(`threw ${describeError(error)}`);
      else this.count(kind);
      return undefined;
    }
    this.count('returned');
    if (result instanceof Promise) {
      const label = `${name}(${args.map(show).join(', ')}) at call #${this.callIndex}`;
      this.pending.push(
        result.then(
          () => this.count('resolved'),
          (error: unknown) => {
            const kind = thrownKind(error, true, foreign);
            if (kind === undefined) this.record(name, `seed ${this.report.seed}: ${label} rejected with ${describeError(error)}`, `rejected with ${describeError(error)}`);
            else this.count(`rejected:${kind}`);
          },
        ),
      );
    }
    return result;
  }

  /**
   * Calls `fn(...args)`, which must return a value `accept` takes and throw nothing at all, not
   * even the input's own exception: for the message builders, whose promise is to render any value.
   */
  total(name: string, fn: (...a: unknown[]) => unknown, args: unknown[], accept: (result: unknown) => boolean): void {
    this.current = name;
    this.args = args;
    this.callIndex++;
    this.report.calls++;
    this.report.targets[name] = (this.report.targets[name] ?? 0) + 1;
    let result: unknown;
    try {
      result = fn(...args);
    } catch (error) {
      this.fail(`threw ${describeError(error)}`);
      return;
    }
    if (accept(result)) this.count('returned');
    else this.fail(`returned ${show(result)}, not what it promises`);
  }
}

// ---------------------------------------------------------------------------------------------
// Part 'api': every public function.

interface ApiState {
  pools: Pool[];
  segments: Segment[];
  scopes: Scope[];
  compat: Map<Pool, api.AclCompat>;
  pointers: number[];
  controllers: AbortController[];
}

function poolOptions(ctx: Context, libraryDir: string | undefined): unknown {
  const { rng } = ctx;
  if (rng.chance(0.1)) return ctx.hostile.next();
  const options: Record<string, unknown> = {};
  options['size'] = ctx.arg(() => rng.int(128, 1 << 16));
  // Valid sizes above 64 MiB are clamped: acl zeroes every fresh block with one aclrtMemset (the
  // test double writes real host memory) and a js block is an ArrayBuffer that large, so a size
  // near 16 GiB would cost seconds and gigabytes per call.
  const size = options['size'];
  if (typeof size === 'number' && Number.isSafeInteger(size) && size > 2 ** 26) options['size'] = 2 ** 26 + 1;
  if (rng.chance(0.7)) options['backend'] = ctx.arg(() => ctx.pick(['js', 'host', 'auto', 'acl']));
  if (rng.chance(0.3)) options['deviceId'] = ctx.arg(() => rng.int(0, 1));
  if (rng.chance(0.3)) options['acl'] = ctx.arg(() => (rng.chance(0.5) ? { libraryDir: ctx.arg(() => libraryDir ?? '/nonexistent') } : {}));
  if (rng.chance(0.3)) options['zeroOnAcquire'] = ctx.arg(() => rng.chance(0.5));
  if (rng.chance(0.05)) options[String(ctx.pick(['Size', 'extra', '__proto__', 'constructor']))] = 1;
  return options;
}

function acquireOptions(ctx: Context, state: ApiState, asyncKeys: boolean): unknown {
  const { rng } = ctx;
  const roll = rng.nextFloat();
  if (roll < 0.35) return undefined;
  if (roll < 0.45) return ctx.hostile.next();
  const options: Record<string, unknown> = {};
  if (rng.chance(0.5)) options['tag'] = ctx.arg(() => `tag${rng.int(0, 9)}`);
  if (rng.chance(0.3)) options['zero'] = ctx.arg(() => rng.chance(0.5));
  if (asyncKeys && rng.chance(0.4)) options['timeoutMs'] = ctx.arg(() => rng.int(0, 5));
  if (asyncKeys && rng.chance(0.3)) options['priority'] = ctx.arg(() => rng.int(-2, 2));
  if (asyncKeys && rng.chance(0.3)) {
    options['signal'] = ctx.arg(() => {
      const controller = new AbortController();
      state.controllers.push(controller);
      return controller.signal;
    });
  }
  if (rng.chance(0.03)) options['extra'] = true;
  if (rng.chance(0.03)) {
    // Re-entrant: reading `tag` changes the pool under the call.
    const pool = ctx.pick(state.pools);
    const action = ctx.pick(['reset', 'close', 'release'] as const);
    Object.defineProperty(options, 'tag', {
      enumerable: true,
      get() {
        if (pool !== undefined && !pool.closed) {
          if (action === 'reset') pool.reset();
          else if (action === 'close') pool.close();
          else ctx.pick(state.segments)?.[Symbol.dispose]();
        }
        return 're-entrant';
      },
    });
  }
  return options;
}

function view(ctx: Context): unknown {
  return ctx.arg(() => new Uint8Array(ctx.rng.int(0, 300)));
}

function keep<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

function apiTargets(ctx: Context, state: ApiState, libraryDir: string | undefined): Array<() => void> {
  const { rng } = ctx;
  const pool = (): Pool | undefined => ctx.pick(state.pools);
  const len = () => (rng.chance(0.8) ? rng.int(1, 4096) : rng.int(1, 1 << 17));
  const poolProto = api.Pool.prototype as unknown as Record<string, unknown>;
  const onPool = (name: string, args: () => unknown[]) => () => {
    const p = pool();
    if (p === undefined) return;
    const result = ctx.invoke(`pool.${name}`, poolProto[name], ctx.receiver(p), args());
    if (result instanceof Promise) result.then(resolvedSegment, () => {});
    else if (result instanceof ScopeClass) madeScope(result);
    else if (result instanceof SegmentClass) acquired(result);
  };
  const madeScope = (scope: Scope) => {
    ctx.made.add(scope);
    keep(state.scopes, scope, 8);
  };
  const resolvedSegment = (segment: Segment) => {
    ctx.made.add(segment);
    keep(state.segments, segment, 64);
  };
  // A segment a call returned must be live, 128-aligned, and of an open pool.
  const acquired = (segment: Segment) => {
    if (segment.released || segment.pool.closed || segment.offset % 128 !== 0) {
      ctx.fail(`returned a segment at offset ${segment.offset} that is released: ${segment.released}, of a closed pool: ${segment.pool.closed}`);
    }
    ctx.made.add(segment);
    keep(state.segments, segment, 64);
  };
  const onSegment = (name: string, args: () => unknown[]) => () => {
    const segment = ctx.pick(state.segments);
    if (segment === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(SegmentClass.prototype, name === 'dispose' ? Symbol.dispose : name);
    const fn: unknown = descriptor?.get ?? descriptor?.value;
    ctx.invoke(`segment.${name}`, fn, ctx.receiver(segment), args());
  };
  const onScope = (name: string, args: () => unknown[]) => () => {
    const scope = ctx.pick(state.scopes);
    if (scope === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(ScopeClass.prototype, name);
    const result = ctx.invoke(`scope.${name}`, descriptor?.get ?? descriptor?.value, ctx.receiver(scope), args());
    if (result instanceof Promise) result.then(resolvedSegment, () => {});
    else if (result instanceof SegmentClass) acquired(result);
  };
  const compat = () => {
    const p = pool();
    return p === undefined ? undefined : state.compat.get(p);
  };
  // Defaults are code too (a default computed from a bad earlier argument): a third of the
  // calls leave out some trailing optional arguments, keeping at least `required`.
  const trailing = (args: unknown[], required: number): unknown[] => (rng.chance(0.33) ? args.slice(0, rng.int(required, args.length - 1)) : args);
  const sharedValue = (): unknown => {
    const segment = ctx.pick(state.segments);
    try {
      return segment?.toShared();
    } catch {
      return { type: 'dvpp-pool/shared-segment@1', pool: 'not a pool', node: rng.int(0, 3), generation: rng.int(0, 3), offset: 0, length: 1 };
    }
  };
  const descriptor = (): unknown => {
    try {
      return pool()?.share();
    } catch {
      return { type: 'dvpp-pool/shared-pool@1', id: 'made up', capacity: 128 };
    }
  };
  const pointer = () => {
    const known = ctx.pick(state.pointers) ?? 0;
    return rng.chance(0.7) ? known : known + ctx.pick([-128, -1, 1, 32, 128])!;
  };
  return [
    () => {
      const created = ctx.invoke('createPool', api.createPool, ctx.self(undefined), [poolOptions(ctx, libraryDir)]);
      if (created instanceof api.Pool) created.close();
    },
    () => {
      const created = ctx.invoke('new Pool', (o: unknown) => new api.Pool(o as api.PoolOptions), undefined, [poolOptions(ctx, libraryDir)]);
      if (created instanceof api.Pool) created.close();
    },
    () => {
      // A class called without `new`: the language's TypeError is the answer.
      ctx.foreign = true;
      ctx.invoke('Pool() without new', api.Pool, undefined, [poolOptions(ctx, libraryDir)]);
    },
    () => {
      // Every class the package exports at run time is constructible by a user; Scope was (item 18
      // of issue 12). A scope made this way joins the others, so its methods are fuzzed too.
      const ScopeExport: unknown = Reflect.get(api, 'Scope');
      if (typeof ScopeExport !== 'function') return;
      const made = ctx.invoke('new Scope', (p: unknown) => Reflect.construct(ScopeExport, [p]) as unknown, undefined, [ctx.arg(() => pool())]);
      if (made instanceof ScopeClass) madeScope(made);
    },
    onPool('acquire', () => [ctx.arg(len), acquireOptions(ctx, state, false)]),
    onPool('acquire', () => [ctx.arg(len), acquireOptions(ctx, state, false)]),
    onPool('tryAcquire', () => [ctx.arg(len), acquireOptions(ctx, state, false)]),
    onPool('acquireAsync', () => [ctx.arg(len), acquireOptions(ctx, state, true)]),
    onPool('release', () => [ctx.arg(() => ctx.pick(state.segments))]),
    onPool('release', () => [ctx.arg(() => ctx.pick(state.segments))]),
    onPool('scope', () => []),
    onPool('reset', () => []),
    onPool('stats', () => []),
    onPool('snapshot', () => []),
    // Shared pools: a descriptor, values of segments (of this pool, another, or made up) to adopt, attachments.
    onPool('share', () => []),
    onPool('adopt', () => [ctx.arg(sharedValue)]),
    onSegment('toShared', () => []),
    () => {
      const attached = ctx.invoke('attachPool', api.attachPool, undefined, [ctx.arg(descriptor)]);
      if (attached instanceof api.Pool) attached.close();
    },
    onSegment('write', () => trailing([view(ctx), ctx.arg(() => rng.int(0, 200))], 1)),
    onSegment('read', () => trailing([ctx.arg(() => rng.int(0, 200)), ctx.arg(() => rng.int(0, 200))], 0)),
    onSegment('fill', () => trailing([ctx.arg(() => rng.int(0, 255)), ctx.arg(() => rng.int(0, 200)), ctx.arg(() => rng.int(0, 200))], 1)),
    onSegment('release', () => []),
    onSegment('dispose', () => []),
    onSegment('address', () => []),
    onSegment('released', () => []),
    onScope('acquire', () => [ctx.arg(len), acquireOptions(ctx, state, false)]),
    onScope('tryAcquire', () => [ctx.arg(len), acquireOptions(ctx, state, false)]),
    onScope('acquireAsync', () => [ctx.arg(len), acquireOptions(ctx, state, true)]),
    onScope('releaseAll', () => []),
    onScope('liveCount', () => []),
    () => {
      const options = rng.chance(0.5) ? [] : [ctx.arg(() => ({ tag: ctx.arg(() => `skin${rng.int(0, 3)}`) }))];
      const made = ctx.invoke('createAclCompat', api.createAclCompat, undefined, [ctx.arg(() => pool()), ...options]);
      const p = pool();
      if (made !== undefined && p !== undefined && !state.compat.has(p)) state.compat.set(p, made as api.AclCompat);
    },
    () => {
      const c = compat();
      if (c === undefined) return;
      const result = ctx.invoke('acl.media.dvpp_malloc', c.media.dvpp_malloc, ctx.self(c.media), [ctx.arg(() => rng.int(0, 5000))]);
      if (Array.isArray(result) && typeof result[0] === 'number' && result[1] === 0) keep(state.pointers, result[0], 64);
    },
    () => {
      const c = compat();
      if (c !== undefined) ctx.invoke('acl.media.dvpp_free', c.media.dvpp_free, ctx.self(c.media), [ctx.arg(pointer)]);
    },
    () => {
      const c = compat();
      if (c === undefined) return;
      const count = () => rng.int(0, 400);
      ctx.invoke('acl.rt.memset', c.rt.memset, ctx.self(c.rt), [ctx.arg(pointer), ctx.arg(count), ctx.arg(() => rng.int(-300, 300)), ctx.arg(count)]);
    },
    () => {
      const c = compat();
      if (c === undefined) return;
      const count = () => rng.int(0, 400);
      // Either side a pointer or a view, whatever the kind says: a mismatch must be a code.
      const side = () => (rng.chance(0.5) ? pointer() : new Uint8Array(rng.int(0, 400)));
      ctx.invoke('acl.rt.memcpy', c.rt.memcpy, ctx.self(c.rt), [ctx.arg(side), ctx.arg(count), ctx.arg(side), ctx.arg(count), ctx.arg(() => rng.int(-1, 5))]);
    },
    () => {
      const c = compat();
      if (c !== undefined) ctx.invoke('acl.segmentOf', c.segmentOf, ctx.self(c), [ctx.arg(pointer)]);
    },
    () => {
      // A real snapshot with one field (top level, a segment's, a free range's or a stat) made hostile.
      const p = pool();
      let snapshot: unknown = ctx.hostile.next();
      if (p !== undefined && !p.closed && rng.chance(0.8)) {
        const copy = JSON.parse(JSON.stringify(p.snapshot())) as Record<string, unknown>;
        const holders = [copy, copy['stats'], ...(copy['segments'] as unknown[]), ...(copy['freeRanges'] as unknown[])] as Record<string, unknown>[];
        const holder = ctx.pick(holders)!;
        if (rng.chance(0.8)) holder[ctx.pick(Object.keys(holder)) ?? 'x'] = ctx.hostile.next();
        snapshot = copy;
      }
      const options = rng.chance(0.5) ? undefined : { width: ctx.arg(() => rng.int(320, 2000)), rows: ctx.arg(() => rng.int(1, 16)), title: ctx.arg(() => 'map') };
      ctx.invoke('snapshotToSVG', api.snapshotToSVG, undefined, [snapshot, options]);
    },
    () => ctx.invoke('alignUp', api.alignUp, undefined, [ctx.arg(() => rng.int(0, 1 << 20)), ctx.arg(() => ctx.pick([32, 128]))]),
    () => ctx.invoke('segmentSize', segmentSizeFn, undefined, [ctx.arg(() => rng.int(0, 1 << 20))]),
    // The message builders behind every argument error render any value and never throw: when
    // one throws, the caller gets its exception instead of the argument error.
    () => ctx.total('message builders: invalidMessage', invalidMessage as (...a: unknown[]) => unknown, ['len', 'positive safe integer', ctx.hostile.next()], (m) => typeof m === 'string' && isProjectMessage(m)),
    () => {
      const check = (e: unknown) => (e instanceof TypeError || e instanceof RangeError) && isProjectMessage(e.message);
      ctx.total('message builders: engine argumentError', argumentError as (...a: unknown[]) => unknown, ['granules', 'positive safe integer', ctx.hostile.next()], check);
    },
    () => {
      // Aborting wakes a waiter with its signal's reason, out of turn.
      ctx.pick(state.controllers)?.abort();
    },
  ];
}

async function settle(ctx: Context): Promise<void> {
  await Promise.all(ctx.pending.splice(0));
}

/** Creates the batch's pools: js always, host and acl (over `libraryDir`) where they load. */
function batchPools(libraryDir: string | undefined): Pool[] {
  const pools = [
    api.createPool({ size: 64 * 1024, backend: 'js' }),
    api.createPool({ size: 64 * 1024, backend: 'js', zeroOnAcquire: true }),
    api.createPool({ size: 64 * 1024, backend: 'js', shared: true }),
  ];
  for (const options of [{ backend: 'host' as const }, ...(libraryDir === undefined ? [] : [{ backend: 'acl' as const, acl: { libraryDir } }])]) {
    try {
      pools.push(api.createPool({ size: 64 * 1024, ...options }));
    } catch (error) {
      if (!(error instanceof api.BackendUnavailableError)) throw error;
    }
  }
  return pools;
}

async function fuzzApi(seed: number, calls: number, libraryDir: string | undefined): Promise<FuzzReport> {
  const ctx = new Context('api', seed);
  const state: ApiState = { pools: [], segments: [], scopes: [], compat: new Map(), pointers: [], controllers: [] };
  // Context-specific hostile values: live, stale, forged and wrapped segments, scopes, pools.
  ctx.hostile.add(() => ctx.pick(state.segments));
  ctx.hostile.add(() => ({ ...ctx.pick(state.segments) }));
  ctx.hostile.add(() => Object.create(ctx.pick(state.segments) ?? null) as object);
  ctx.hostile.add(() => new Proxy(ctx.pick(state.segments) ?? {}, {}));
  ctx.hostile.add(() => ctx.pick(state.pools));
  ctx.hostile.add(() => ctx.pick(state.scopes));
  ctx.hostile.add(() => ctx.pick(state.pointers));
  while (ctx.report.calls < calls) {
    state.pools = batchPools(libraryDir);
    state.compat = new Map(state.pools.map((p) => [p, api.createAclCompat(p)]));
    state.scopes = state.pools.map((p) => p.scope());
    state.segments.push(...state.pools.map((p) => p.acquire(100)));
    for (const made of [...state.pools, ...state.scopes, ...state.segments]) ctx.made.add(made);
    const targets = apiTargets(ctx, state, libraryDir);
    const end = Math.min(calls, ctx.report.calls + BATCH);
    while (ctx.report.calls < end) targets[ctx.rng.int(0, targets.length - 1)]?.();
    // Let 0-5 ms timeouts fire, then check every pool that is still open and close it.
    await new Promise((resolve) => setTimeout(resolve, 6));
    for (const p of state.pools) {
      if (p.closed) continue;
      try {
        p.validate();
        const stats = p.stats();
        if (stats.usedBytes + stats.freeBytes !== p.capacity) throw new Error(`used ${stats.usedBytes} + free ${stats.freeBytes} != ${p.capacity}`);
        ctx.report.validated++;
      } catch (error) {
        ctx.report.failures.push(`seed ${seed}, batch ending at call ${ctx.report.calls}: pool (${p.backend.kind}) invalid: ${(error as Error).message}`);
      }
      p.close();
    }
    await settle(ctx);
    state.controllers.length = 0;
  }
  return ctx.report;
}

// ---------------------------------------------------------------------------------------------
// Part 'native': every export of the addon.

interface NativeState {
  blocks: NativeBlock[];
}

function nativeTargets(ctx: Context, addon: DvppPoolAddon, state: NativeState, libraryDir: string | undefined): Array<() => void> {
  const { rng } = ctx;
  const block = () => ctx.pick(state.blocks);
  const offset = () => (rng.chance(0.8) ? rng.int(0, 4096) : rng.int(4000, 5000));
  const bytes = () => new Uint8Array(rng.int(0, 512));
  // A block a call made is freed at once, so the fuzz never holds more than its few own blocks.
  const freeIfBlock = (result: unknown) => {
    if (typeof result === 'object' && result !== null && 'base' in result) addon.free(result as NativeBlock);
  };
  return [
    () => freeIfBlock(ctx.invoke('allocateHost', addon.allocateHost, ctx.self(addon), [ctx.arg(() => rng.int(1, 1 << 16))])),
    () => {
      const args = [
        ctx.arg(() => rng.int(1, 1 << 16)),
        ctx.arg(() => 0),
        ctx.arg(() => libraryDir ?? '/nonexistent'),
        ctx.arg(() => ctx.pick(['acl', 'himpi', 'rt'])),
        ctx.arg(() => DVPP_MAX_BLOCK_BYTES),
      ];
      freeIfBlock(ctx.invoke('allocateAcl', addon.allocateAcl, ctx.self(addon), args));
    },
    () =>
      ctx.invoke('aclProbe', addon.aclProbe, ctx.self(addon), [
        ctx.arg(() => (rng.chance(0.5) ? libraryDir : undefined)),
        ctx.arg(() => ctx.pick(['acl', 'himpi', 'rt', undefined])),
      ]),
    () => ctx.invoke('free', addon.free, ctx.self(addon), [ctx.arg(block)]),
    () => ctx.invoke('memset', addon.memset, ctx.self(addon), [ctx.arg(block), ctx.arg(offset), ctx.arg(() => rng.int(0, 200)), ctx.arg(() => rng.int(-300, 300))]),
    () => ctx.invoke('memset', addon.memset, ctx.self(addon), [ctx.arg(block), ctx.arg(offset), ctx.arg(() => rng.int(0, 200)), ctx.arg(() => rng.int(-300, 300))]),
    () => ctx.invoke('write', addon.write, ctx.self(addon), [ctx.arg(block), ctx.arg(offset), ctx.arg(bytes)]),
    () => ctx.invoke('write', addon.write, ctx.self(addon), [ctx.arg(block), ctx.arg(offset), ctx.arg(bytes)]),
    () => ctx.invoke('read', addon.read, ctx.self(addon), [ctx.arg(block), ctx.arg(offset), ctx.arg(bytes)]),
    () => ctx.invoke('read', addon.read, ctx.self(addon), [ctx.arg(block), ctx.arg(offset), ctx.arg(bytes)]),
    () => ctx.invoke('copy', addon.copy, ctx.self(addon), [ctx.arg(block), ctx.arg(offset), ctx.arg(offset), ctx.arg(() => rng.int(0, 512))]),
    () => ctx.invoke('copy', addon.copy, ctx.self(addon), [ctx.arg(block), ctx.arg(offset), ctx.arg(offset), ctx.arg(() => rng.int(0, 512))]),
  ];
}

function fuzzNative(seed: number, calls: number, libraryDir: string | undefined): FuzzReport {
  const ctx = new Context('native', seed);
  const load = loadAddon();
  if ('reason' in load) {
    ctx.report.skipped = load.reason;
    return ctx.report;
  }
  const addon = load.addon;
  const state: NativeState = { blocks: [] };
  ctx.hostile.add(() => ctx.pick(state.blocks));
  ctx.hostile.add(() => ({ ...ctx.pick(state.blocks) }));
  ctx.hostile.add(() => Object.create(ctx.pick(state.blocks) ?? null) as object);
  ctx.hostile.add(() => new Proxy(ctx.pick(state.blocks) ?? {}, {}));
  ctx.hostile.add(() => addon);
  while (ctx.report.calls < calls) {
    const fresh: NativeBlock[] = [];
    for (let i = 0; i < 3; i++) {
      const made = addon.allocateHost(4096);
      if ('base' in made) fresh.push(made);
    }
    if (libraryDir !== undefined) {
      for (const allocator of ['acl', 'himpi', 'rt'] as const) {
        const made = addon.allocateAcl(4096, 0, libraryDir, allocator, DVPP_MAX_BLOCK_BYTES);
        if ('base' in made) fresh.push(made);
      }
    }
    // Freed blocks of earlier batches stay in the mix as stale handles.
    state.blocks = [...state.blocks.slice(-4), ...fresh];
    const targets = nativeTargets(ctx, addon, state, libraryDir);
    const end = Math.min(calls, ctx.report.calls + BATCH);
    while (ctx.report.calls < end) targets[ctx.rng.int(0, targets.length - 1)]?.();
    for (const b of fresh) addon.free(b);
  }
  return ctx.report;
}

/** Runs one part of the fuzz for `calls` calls from `seed`. `libraryDir` is the ACL double's lib64, if built. */
export async function runFuzz(part: 'api' | 'native', seed: number, calls: number, libraryDir: string | undefined): Promise<FuzzReport> {
  return part === 'api' ? fuzzApi(seed, calls, libraryDir) : fuzzNative(seed, calls, libraryDir);
}
