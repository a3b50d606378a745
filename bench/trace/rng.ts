// SPDX-License-Identifier: MIT
// The repository's one PRNG (Marsaglia's xorshift32), for the bench and the tests alike: a seed
// names one trace on every machine and Node version, and the seed alone replays a test's random
// run. Integer maths only, no Math.random.

/** xorshift32 state plus helpers. The same seed always yields the same sequence. */
export class XorShift32 {
  private state: number;

  constructor(seed: number) {
    // Mix the seed (splitmix-style multiply) so nearby seeds diverge; 0 is a fixed point, avoid it.
    const mixed = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) >>> 0;
    this.state = mixed === 0 ? 0x6d2b79f5 : mixed;
  }

  /** Next value in [0, 2^32). */
  nextU32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** Uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.nextFloat() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.nextFloat() < p;
  }

  /** Shuffles `items[0, length)` in place (Fisher–Yates). */
  shuffle(items: number[], length = items.length): void {
    for (let i = length - 1; i > 0; i--) {
      const j = Math.floor(this.nextFloat() * (i + 1));
      const t = items[i] as number;
      items[i] = items[j] as number;
      items[j] = t;
    }
  }
}
