// Timing helpers for the benchmarks: latency percentiles and throughput at a fixed concurrency.

export interface Latency {
  median: number;
  p99: number;
  n: number;
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

/**
 * Sequential latency of several paths measured in alternating rounds, so a slow spell of a shared
 * machine (a noisy neighbour, a GC in the client) falls on all of them alike rather than on one.
 */
export async function latencies<K extends string>(
  n: number,
  rounds: number,
  calls: Record<K, () => Promise<unknown>>,
): Promise<Record<K, Latency>> {
  const times = Object.fromEntries(Object.keys(calls).map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (const key of Object.keys(calls) as K[]) {
      const call = calls[key];
      for (let i = 0; i < Math.ceil(n / rounds); i++) {
        const start = performance.now();
        await call();
        times[key].push(performance.now() - start);
      }
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, t]) => [k, summarise(t as number[])])) as Record<K, Latency>;
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
