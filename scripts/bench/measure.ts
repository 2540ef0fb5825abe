// Timing helpers for the benchmarks: latency percentiles and throughput at a fixed concurrency.

export interface Latency {
  median: number;
  p99: number;
  n: number;
  /** a path served by several processes: each one's own figures (their times are pooled above) */
  byProcess?: Latency[];
}

function summarise(times: number[]): Latency {
  const sorted = [...times].sort((a, b) => a - b);
  const n = sorted.length;
  return { median: sorted[Math.floor(n / 2)]!, p99: sorted[Math.min(n - 1, Math.floor(n * 0.99))]!, n };
}

export async function latency(n: number, call: () => Promise<unknown>): Promise<Latency> {
  for (let i = 0; i < Math.min(50, n); i++) await call(); // warm up
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  return summarise(times);
}

/** A path's calls: one function, or one per process serving the path (taken in turn, their times pooled). */
export type Path = (() => Promise<unknown>) | ReadonlyArray<() => Promise<unknown>>;

/**
 * Sequential latency of several paths measured in alternating rounds, so a slow spell of a shared
 * machine (a noisy neighbour, a GC in the client) falls on all of them alike rather than on one. A
 * path served by several processes has each of them take its turn within every round.
 */
export async function latencies<K extends string>(n: number, rounds: number, calls: Record<K, Path>): Promise<Record<K, Latency>> {
  const keys = Object.keys(calls) as K[];
  const membersOf = (key: K) => {
    const path: Path = calls[key];
    return typeof path === 'function' ? [path] : path;
  };
  // times[key][member]: each process's own, pooled when summarised
  const times = Object.fromEntries(keys.map((k) => [k, membersOf(k).map(() => [] as number[])])) as Record<K, number[][]>;
  for (let round = 0; round < rounds; round++) {
    for (const key of keys) {
      const members = membersOf(key);
      for (const [m, call] of members.entries()) {
        for (let i = 0; i < Math.ceil(n / rounds / members.length); i++) {
          const start = performance.now();
          await call();
          times[key][m]!.push(performance.now() - start);
        }
      }
    }
  }
  return Object.fromEntries(
    keys.map((k) => {
      const pooled = summarise(times[k].flat());
      return [k, times[k].length > 1 ? { ...pooled, byProcess: times[k].map(summarise) } : pooled];
    }),
  ) as Record<K, Latency>;
}

/** Calls per second with `concurrency` callers looping for `ms`. */
export async function throughput(concurrency: number, ms: number, call: () => Promise<unknown>): Promise<number> {
  const end = performance.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await call();
        done += 1;
      }
    }),
  );
  return done / (ms / 1000);
}

export const fmt = (n: number, digits = 2) => n.toFixed(digits);
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
