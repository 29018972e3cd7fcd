/** A small seeded PRNG (mulberry32) with the distributions the benchmarks need. Same seed, same numbers. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  integer(min: number, max: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** exp(mu + sigma·Z): median e^mu, heavier tail as sigma grows. */
  logNormal(mu: number, sigma: number): number;
  pick<T>(items: readonly T[]): T;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    integer: (min, max) => min + Math.floor(next() * (max - min + 1)),
    normal,
    logNormal: (mu, sigma) => Math.exp(mu + sigma * normal()),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}
