// SPDX-License-Identifier: MIT
// Command-line parsing for `dvpp-pool`: node:util parseArgs in strict mode, plus the value
// parsers the subcommands share (byte sizes such as `512MiB`, counts, seconds, backend kinds).
// Every user mistake becomes a UsageError, which main.ts prints as one line and exits with 2;
// anything else is a real failure and keeps its stack.

import { type ParseArgsConfig, parseArgs } from 'node:util';
import { BACKEND_CHOICES, BACKEND_ENV } from '../backends/select.js';
import { DVPP_MAX_BLOCK_BYTES } from '../constants.js';
import type { PoolBackendKind } from '../backends/select.js';
import { MIB, formatBytes } from '../format.js';

/** A mistake on the command line or in an input file: one line on stderr, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit code for a user mistake (bad option, bad value, unreadable input). */
export const EXIT_USAGE = 2;

/** The options of one subcommand, in parseArgs' shape. */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Node's parseArgs errors carry these codes; they are the user's mistakes. */
function isParseArgsError(error: unknown): error is Error & { code: string } {
  const code: unknown = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** What {@link parseCommandLine} returns: each option's value (absent when not given) and the positionals. */
export interface CommandLine<O extends OptionsConfig> {
  readonly values: { readonly [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string } & { readonly help?: boolean };
  readonly positionals: string[];
}

/**
 * Parses `args` strictly against `options` (single values, no repeats); `--help`/`-h` is always accepted.
 * @throws {UsageError} an unknown option, a missing value, or a positional where none is allowed.
 */
export function parseCommandLine<const O extends OptionsConfig>(command: string, args: string[], options: O, allowPositionals: boolean): CommandLine<O> {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals });
    return { values: values as CommandLine<O>['values'], positionals };
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    // Node's own text, minus its advice about `--`, which only confuses here.
    const first = error.message.split('. To specify a positional')[0] ?? error.message;
    throw new UsageError(`${first.replace(/\.$/, '')} (see 'dvpp-pool ${command} --help')`);
  }
}

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 2 ** 10,
  kib: 2 ** 10,
  m: MIB,
  mib: MIB,
  g: 2 ** 30,
  gib: 2 ** 30,
};

/** The one file argument of a command (`what` names it in the messages), or a UsageError. */
export function onlyFile(command: string, what: string, positionals: readonly string[]): string {
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError(`missing the ${what} file (see 'dvpp-pool ${command} --help')`);
  if (extra.length > 0) throw new UsageError(`one ${what} file only, got also ${extra.join(' ')}`);
  return file;
}

/**
 * Parses a byte count: digits with an optional binary unit (`B`, `K`/`KiB`, `M`/`MiB`,
 * `G`/`GiB`, any case), e.g. `536870912`, `512MiB`, `1.5GiB`. The result must be a whole
 * number of bytes within `[min, max]`.
 * @throws {UsageError} naming `name` and the text received.
 */
export function parseBytes(name: string, text: string, min = 1, max = DVPP_MAX_BLOCK_BYTES): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = UNITS[match?.[2]?.toLowerCase() ?? 'none'];
  if (match === null || unit === undefined) {
    throw new UsageError(`${name} expects a size in bytes such as 536870912 or 512MiB, got '${text}'`);
  }
  const bytes = Number(match[1]) * unit;
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`${name} must be a whole number of bytes, got '${text}'`);
  if (bytes < min || bytes > max) {
    throw new UsageError(`${name} must be between ${formatBytes(min)} and ${formatBytes(max)}, got '${text}'`);
  }
  return bytes;
}

/**
 * Parses an integer in `[min, max]`.
 * @throws {UsageError} naming `name` and the text received.
 */
export function parseInteger(name: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${name} expects an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/**
 * Parses a duration in seconds (decimals allowed) in `(0, max]`.
 * @throws {UsageError} naming `name` and the text received.
 */
export function parseSeconds(name: string, text: string, max: number): number {
  const value = /^\d+(?:\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(value > 0 && value <= max)) throw new UsageError(`${name} expects a number of seconds above 0 and at most ${max}, got '${text}'`);
  return value;
}

/**
 * Parses a backend kind, one of the choices createPool takes (`auto`, `acl`, `host`, `js`).
 * @param name - where the text came from, for the message. @defaultValue `'--backend'`
 * @throws {UsageError} any other text.
 */
export function parseBackend(text: string, name = '--backend'): PoolBackendKind {
  const kind = BACKEND_CHOICES.find((candidate) => candidate === text);
  if (kind === undefined) throw new UsageError(`${name} expects one of ${BACKEND_CHOICES.join(', ')}, got '${text}'`);
  return kind;
}

/**
 * Checks $DVPP_POOL_BACKEND (empty or unset means `auto`) before a command makes a pool, so a
 * bad value is the same one-line usage error in every command instead of a stack trace from
 * wherever the first pool is made.
 * @throws {UsageError} a value that names no backend.
 */
export function checkBackendEnvironment(): void {
  const value = process.env[BACKEND_ENV];
  if (value !== undefined && value !== '') parseBackend(value, `$${BACKEND_ENV}`);
}

/**
 * One subcommand of `dvpp-pool`. main.ts parses the arguments after its name against `options`
 * (parseCommandLine), prints `help` for `--help`/`-h`, checks $DVPP_POOL_BACKEND when
 * `usesBackend`, and only then calls `run`.
 */
export interface Command<O extends OptionsConfig = OptionsConfig> {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** The text `dvpp-pool <name> --help` prints. */
  readonly help: string;
  /** True when the command picks a backend, so $DVPP_POOL_BACKEND must be valid before it runs. */
  readonly usesBackend: boolean;
  /** The command's options in parseArgs' shape; `--help`/`-h` is added to every command's. */
  readonly options: O;
  /** True when the command takes positional arguments (its files). */
  readonly positionals: boolean;
  /**
   * Runs the subcommand with its parsed command line (never one asking for help); resolves to
   * the exit code.
   * @throws {UsageError} a mistake on the command line or in an input file.
   */
  run(line: CommandLine<O>): Promise<number>;
}

/**
 * A command typed against its own options, listed as a plain {@link Command}. Sound because
 * main.ts hands `run` only what parseCommandLine made of `command.options`.
 */
export function defineCommand<const O extends OptionsConfig>(command: Command<O>): Command {
  return command as unknown as Command;
}
