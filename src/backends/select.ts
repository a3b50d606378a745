// SPDX-License-Identifier: MIT
// Which backend a pool gets. An explicit kind is honoured or throws BackendUnavailableError;
// `auto` takes $DVPP_POOL_BACKEND when set, else tries acl, then host, and keeps, in
// `fallbackReason`, why acl was skipped. `auto` never takes himpi or rt (the application picks
// its DVPP version, V1 or V2, and must not mix them; rt memory only some V2 media calls take) nor
// js (fake addresses that DVPP cannot use): with neither acl nor host it throws, saying why the
// addon is missing and how to rebuild it. Nothing is swallowed: every skipped backend's reason is
// the loader's own text.

import { BackendUnavailableError } from '../errors.js';
import { invalidMessage } from '../validate.js';
import { createAscendBackend } from './acl.js';
import type { Backend, BackendKind } from './backend.js';
import { createHostBackend } from './host.js';
import { createJsBackend } from './js.js';
import { loadAddon } from './native.js';

/** What a pool may ask for: a backend kind, or `auto` (`acl`, else `host`; never `himpi`, `rt` or `js`). */
export type PoolBackendKind = 'auto' | BackendKind;

const CHOICE_LIST = ['auto', 'acl', 'himpi', 'rt', 'host', 'js'] as const;
/**
 * Every value `options.backend`, selectBackend's `kind` and $DVPP_POOL_BACKEND accept: the one
 * list, used by {@link parseBackendChoice} and by the command's `--backend` (src/cli/args.ts).
 */
export const BACKEND_CHOICES: readonly PoolBackendKind[] = Object.freeze(CHOICE_LIST);
// Fails to compile when BackendKind gains a kind the list lacks.
const LISTS_EVERY_KIND: [Exclude<PoolBackendKind, (typeof CHOICE_LIST)[number]>] extends [never] ? true : never = true;
void LISTS_EVERY_KIND;

/** Options that reach the backend being created. */
export interface SelectOptions {
  /** Ascend device to allocate on (`acl`, `himpi`, `rt`). @defaultValue 0 */
  readonly deviceId?: number | undefined;
  readonly acl?: { readonly libraryDir?: string | undefined } | undefined;
}

/** The backend chosen, and why `auto` fell back from the ones before it, if it did. */
export interface BackendSelection {
  readonly backend: Backend;
  /** e.g. "acl: no ACL runtime library ... could be loaded: ..."; absent when nothing was skipped. */
  readonly fallbackReason?: string;
}

/** The environment variable that picks the backend when the caller asks for `auto`. */
export const BACKEND_ENV = 'DVPP_POOL_BACKEND';

// `auto` tries these in order. `himpi`, `rt` and `js` only when asked for by name.
const AUTO_ORDER: readonly BackendKind[] = ['acl', 'host'];

/** How to get the addon back; added to every reason whose cause is the missing addon. */
const REBUILD_HINT =
  'rebuild the native addon with `npm rebuild dvpp-pool` (node-gyp needs a C++17 compiler, make and Python; see docs/troubleshooting.md)';

/** Why the addon did not load (the loader's text), or undefined when it did. */
function addonMissing(): string | undefined {
  const load = loadAddon();
  return 'reason' in load ? load.reason : undefined;
}

/** Why `auto` found no backend with real memory, and what to do about it. */
function autoUnavailable(skipped: readonly string[]): string {
  const addon = addonMissing();
  const noJs = "auto never picks the 'js' backend, whose addresses are fake (DVPP cannot use them)";
  const byName = "or ask for backend: 'js' by name (tests, development)";
  if (addon !== undefined) {
    return `the native addon did not load, so neither 'acl' nor 'host' can be used, and ${noJs}: ${addon}; ${REBUILD_HINT}, ${byName}`;
  }
  return `neither 'acl' nor 'host' can be used (${skipped.join('; ')}), and ${noJs}; ${byName}`;
}

type Attempt = { readonly backend: Backend } | { readonly reason: string };

/** The backend `create` makes, or the loader's reason when it is unavailable here. */
function tryCreate(create: () => Backend): Attempt {
  try {
    return { backend: create() };
  } catch (error) {
    if (error instanceof BackendUnavailableError) return { reason: error.reason };
    throw error;
  }
}

function attempt(kind: BackendKind, options: SelectOptions): Attempt {
  if (kind === 'acl' || kind === 'himpi' || kind === 'rt') {
    return tryCreate(() => createAscendBackend(kind, { deviceId: options.deviceId, libraryDir: options.acl?.libraryDir }));
  }
  if (kind === 'host') return tryCreate(createHostBackend);
  if (kind === 'js') return { backend: createJsBackend() };
  // Callers pass parsed kinds; anything else must never fall through to fake addresses.
  throw new TypeError(invalidMessage('kind', "'acl', 'himpi', 'rt', 'host' or 'js'", kind));
}

/**
 * @internal The backend of `kind` in this thread, as `selectBackend(kind, options)` makes it, for
 * a thread that borrows blocks of another thread's backend ({@link Backend.borrow}): give the
 * `options` the creator had (the ACL library is found again; the device comes with each block).
 * @throws {BackendUnavailableError} `kind` cannot be used in this thread.
 */
export function createBackendFor(kind: BackendKind, options: SelectOptions = {}): Backend {
  return selectBackend(kind, options).backend;
}

/**
 * Parses a backend choice, for every place one comes from (`name` says which).
 * @throws {TypeError} `value` is not a string.
 * @throws {RangeError} a string that is not in {@link BACKEND_CHOICES}.
 */
export function parseBackendChoice(name: string, value: unknown): PoolBackendKind {
  const choice = BACKEND_CHOICES.find((candidate) => candidate === value);
  if (choice !== undefined) return choice;
  const message = invalidMessage(name, `one of ${BACKEND_CHOICES.map((c) => `'${c}'`).join(', ')}`, value);
  throw typeof value === 'string' ? new RangeError(message) : new TypeError(message);
}

/** The kind `auto` resolves to before probing: $DVPP_POOL_BACKEND when set and not `auto`. */
function fromEnvironment(): PoolBackendKind {
  const value = process.env[BACKEND_ENV];
  return value === undefined || value === '' ? 'auto' : parseBackendChoice(`$${BACKEND_ENV}`, value);
}

/**
 * Picks and creates the backend for a pool.
 *
 * `auto` first reads $DVPP_POOL_BACKEND (any of {@link BACKEND_CHOICES}): any value but `auto`
 * is treated as if the caller had asked for that kind. Otherwise it tries `acl`, then `host`;
 * never `himpi`, `rt` or `js`, which are used only when asked for by name.
 * `kind` and `options` come parsed (parsePoolOptions, the command's own parser): they are not
 * checked again here.
 * @throws {RangeError} $DVPP_POOL_BACKEND is a string that names no backend.
 * @throws {BackendUnavailableError} an explicitly asked kind cannot be used here, or `auto` has
 * neither `acl` nor `host` (the native addon did not load; the reason says why and how to rebuild).
 * @example
 * const { backend, fallbackReason } = selectBackend('auto', {});
 * // without CANN: backend.kind === 'host', fallbackReason === 'acl: no ACL runtime library ...'
 */
export function selectBackend(kind: PoolBackendKind, options: SelectOptions = {}): BackendSelection {
  let choice = kind;
  if (choice === 'auto') choice = fromEnvironment();
  if (choice !== 'auto') {
    const result = attempt(choice, options);
    if ('reason' in result) {
      throw new BackendUnavailableError(choice, addonMissing() === undefined ? result.reason : `${result.reason}; ${REBUILD_HINT}`);
    }
    return { backend: result.backend };
  }
  const skipped: string[] = [];
  for (const candidate of AUTO_ORDER) {
    const result = attempt(candidate, options);
    if ('backend' in result) {
      return skipped.length === 0 ? { backend: result.backend } : { backend: result.backend, fallbackReason: skipped.join('; ') };
    }
    skipped.push(`${candidate}: ${result.reason}`);
  }
  throw new BackendUnavailableError('auto', autoUnavailable(skipped));
}
