// SPDX-License-Identifier: MIT
// A progress line for long commands. On a terminal it rewrites one line in place (carriage
// return, clear to end of line), cut to the terminal's width; elsewhere (CI, pipes, files) it
// prints a plain line at most once per `plainIntervalMs`, so logs stay short and readable.
// `finish()` ends the live line so the summary starts on a clean one.

/** The part of a stream the status line uses; `process.stdout` fits. */
export interface StatusStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

/** Options of {@link StatusLine}. */
export interface StatusLineOptions {
  /** Least time between two plain lines when the stream is not a terminal. @defaultValue 1000 */
  readonly plainIntervalMs?: number;
  /** The clock, in milliseconds. @defaultValue `performance.now` */
  readonly now?: () => number;
}

/** One live status line on a terminal, or throttled plain lines elsewhere. */
export class StatusLine {
  readonly #stream: StatusStream;
  readonly #live: boolean;
  readonly #plainIntervalMs: number;
  readonly #now: () => number;
  #lastPlainMs = Number.NEGATIVE_INFINITY;
  #dirty = false;

  constructor(stream: StatusStream, options: StatusLineOptions = {}) {
    this.#stream = stream;
    this.#live = stream.isTTY === true;
    this.#plainIntervalMs = options.plainIntervalMs ?? 1000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** True when the line is rewritten in place (the stream is a terminal). */
  get live(): boolean {
    return this.#live;
  }

  /** Shows `text`: in place on a terminal, else as a new line unless one was printed recently. */
  update(text: string): void {
    if (this.#live) {
      // A pseudo-terminal without a size reports 0 columns.
      const columns = this.#stream.columns ?? 0;
      const width = columns > 0 ? columns : 80;
      // One column short of the width: writing the last column makes some terminals wrap.
      const shown = text.length >= width ? `${text.slice(0, Math.max(0, width - 2))}…` : text;
      this.#stream.write(`\r${shown}\x1b[K`);
      this.#dirty = true;
      return;
    }
    const now = this.#now();
    if (now - this.#lastPlainMs < this.#plainIntervalMs) return;
    this.#lastPlainMs = now;
    this.#stream.write(`${text}\n`);
  }

  /** Clears the live line, if one is showing, so that what follows starts at column 0. */
  finish(): void {
    if (!this.#dirty) return;
    this.#stream.write('\r\x1b[K');
    this.#dirty = false;
  }
}
