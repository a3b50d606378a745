// SPDX-License-Identifier: MIT
// The per-tag figures of a shared pool, in shared memory so that every thread sees the same
// `stats().tags`: a table of up to MAX_TAGS names (UTF-16 code units in one buffer) with live
// granules, live segments and peak granules each, and one entry for the rest, as TagLedger keeps
// them for a plain pool. Each thread caches name -> index; a name it has not seen is looked up
// (or added) in the table. Every method runs under the pool's lock.

import { MAX_TAGS, type TagStats } from '../pool-stats.js';
import { HEADER, TAG_CHARS, type SharedBuffers } from './shared-state.js';
import type { TagKeeper } from './stats.js';

/** The index of the "other" entry (tags past the table, or past its name space). */
export const OTHER_TAG = MAX_TAGS;
/** What a range record holds for an untagged segment. */
export const NO_TAG = -1;

export class SharedTagTable implements TagKeeper {
  readonly #header: Int32Array;
  readonly #index: Int32Array;
  readonly #names: Uint16Array;
  readonly #figures: Float64Array;
  readonly #known = new Map<string, number>();

  constructor(buffers: SharedBuffers) {
    this.#header = new Int32Array(buffers.header);
    this.#index = new Int32Array(buffers.tagIndex);
    this.#names = new Uint16Array(buffers.tagNames);
    this.#figures = new Float64Array(buffers.tagFigures);
  }

  /** The table index of `tag` (OTHER_TAG when the table or its name space is full), adding it when new. */
  idOf(tag: string): number {
    const known = this.#known.get(tag);
    if (known !== undefined) return known;
    const count = this.#header[HEADER.tagCount]!;
    let id = this.#find(tag, count);
    if (id < 0) {
      const chars = this.#header[HEADER.tagChars]!;
      if (count >= MAX_TAGS || chars + tag.length > TAG_CHARS) {
        // The table only fills up, so the answer holds for good.
        this.#known.set(tag, OTHER_TAG);
        return OTHER_TAG;
      }
      for (let i = 0; i < tag.length; i++) this.#names[chars + i] = tag.charCodeAt(i);
      this.#index[count * 2] = chars;
      this.#index[count * 2 + 1] = tag.length;
      this.#header[HEADER.tagChars] = chars + tag.length;
      this.#header[HEADER.tagCount] = count + 1;
      id = count;
    }
    this.#known.set(tag, id);
    return id;
  }

  acquired(tag: string, granules: number): void {
    this.acquiredId(this.idOf(tag), granules);
  }

  /** As acquired(), by table index. */
  acquiredId(id: number, granules: number): void {
    const figures = this.#figures;
    const at = id * 3;
    const live = (figures[at] = figures[at]! + granules);
    figures[at + 1]!++;
    if (live > figures[at + 2]!) figures[at + 2] = live;
  }

  released(tag: string, granules: number): void {
    this.releasedId(this.idOf(tag), granules);
  }

  /** As released(), by table index. */
  releasedId(id: number, granules: number): void {
    const figures = this.#figures;
    const at = id * 3;
    figures[at] = figures[at]! - granules;
    figures[at + 1]!--;
  }

  /** The name of table index `id`. */
  nameOf(id: number): string | undefined {
    if (id < 0 || id >= this.#header[HEADER.tagCount]!) return undefined;
    const start = this.#index[id * 2]!;
    return String.fromCharCode(...this.#names.subarray(start, start + this.#index[id * 2 + 1]!));
  }

  reset(): void {
    const figures = this.#figures;
    for (let at = 0; at < figures.length; at += 3) {
      figures[at] = 0;
      figures[at + 1] = 0;
    }
  }

  resetPeak(): void {
    const figures = this.#figures;
    for (let at = 0; at < figures.length; at += 3) figures[at + 2] = figures[at]!;
  }

  stats(granule: number): { readonly tags: Readonly<Record<string, TagStats>>; readonly otherTags: TagStats } {
    const tags = Object.create(null) as Record<string, TagStats>;
    const count = this.#header[HEADER.tagCount]!;
    for (let id = 0; id < count; id++) tags[this.nameOf(id)!] = this.#entry(id, granule);
    return { tags: Object.freeze(tags), otherTags: this.#entry(OTHER_TAG, granule) };
  }

  #entry(id: number, granule: number): TagStats {
    const figures = this.#figures;
    const at = id * 3;
    return Object.freeze({ liveBytes: figures[at]! * granule, liveSegments: figures[at + 1]!, peakBytes: figures[at + 2]! * granule });
  }

  #find(tag: string, count: number): number {
    for (let id = 0; id < count; id++) {
      if (this.#index[id * 2 + 1] !== tag.length) continue;
      const start = this.#index[id * 2]!;
      let same = true;
      for (let i = 0; i < tag.length && same; i++) same = this.#names[start + i] === tag.charCodeAt(i);
      if (same) return id;
    }
    return -1;
  }
}
