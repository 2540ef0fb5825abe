// Timing helpers for the benchmarks: latency percentiles and throughput at a fixed concurrency.

export interface Latency {
  median: number;
  p99: number;
  n: number;
}

export async function latency(n: number, call: () => Promise<unknown>): Promise<Latency> {
  for (let i = 0; i < Math.min(50, n); i++) await call(); // warm up
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(n / 2)]!, p99: times[Math.min(n - 1, Math.floor(n * 0.99))]!, n };
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
