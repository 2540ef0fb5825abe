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
 * Sequential latency of several paths, alternated call by call (in turn order one step, reversed the
 * next, so neither always follows the other): a slow spell of a shared machine (a noisy neighbour, a
 * GC in the client) falls on all of them alike. Alternating in rounds of a hundred calls a side still
 * let a spell of a few hundred milliseconds fall on one side: the same code measured 0.90x in one run
 * and 1.12x in the next. A path served by several processes takes them in turn, one call each.
 */
export async function latencies<K extends string>(n: number, calls: Record<K, Path>): Promise<Record<K, Latency>> {
  const keys = Object.keys(calls) as K[];
  const members = Object.fromEntries(keys.map((k) => [k, typeof calls[k] === 'function' ? [calls[k]] : calls[k]])) as Record<
    K,
    ReadonlyArray<() => Promise<unknown>>
  >;
  // times[key][member]: each process's own, pooled when summarised
  const times = Object.fromEntries(keys.map((k) => [k, members[k].map(() => [] as number[])])) as Record<K, number[][]>;
  const reversed = [...keys].reverse();
  for (let step = 0; step < n; step++) {
    for (const key of step % 2 === 0 ? keys : reversed) {
      const m = step % members[key].length;
      const start = performance.now();
      await members[key][m]!();
      times[key][m]!.push(performance.now() - start);
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
