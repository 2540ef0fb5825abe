import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/spawn-server.ts';

const run = promisify(execFile);

describe('npm run bench', () => {
  it('runs end to end (quick sizes) and prints every figure with its baseline', async () => {
    const { stdout } = await run(process.execPath, ['--import', `${ROOT}node_modules/tsx/dist/loader.mjs`, `${ROOT}scripts/bench.ts`], {
      cwd: ROOT,
      // the bench runs latchkey on SQLite and, beside it, on a PostgreSQL cluster of its own, whatever backend the tests run on
      env: { ...process.env, LATCHKEY_TEST_BACKEND: 'sqlite', BENCH_QUICK: '1' },
      timeout: 420_000,
      maxBuffer: 4 * 1024 * 1024,
    });
    for (const heading of [
      '## Tool call',
      '## Throughput',
      '## Sessions',
      '## tools/list answer',
      '## Memory',
      '## Growth',
      '## Refresh throughput',
      '## PostgreSQL',
    ])
      expect(stdout).toContain(heading);
    expect(stdout).toMatch(/\| latchkey, raw JSON-RPC client \| [\d.]+ \| [\d.]+ \| [\d.]+x \| [\d.]+x \|/);
    expect(stdout).toMatch(/\| 128 \| \d+ \| \d+ \([\d.]+ ms\) \| \d+ \([\d.]+ ms\) \|/);
    expect(stdout).not.toMatch(/logged \d+ errors/);
    // each protocol era against the thinnest proxy on latchkey's SDK major
    for (const era of ['2025-11-25', '2026-07-28'])
      expect(stdout).toMatch(new RegExp(`\\| ${era} \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+x \\| \\d+ \\| \\d+ \\| [\\d.]+ \\|`));
    // the tools/list answer an agent reads first: the meta tools only by default, far less than the whole catalogue preloaded
    const sizes = [...stdout.matchAll(/^\| (default|toolkits \[github\]|every toolkit)[^|]* \| (\d+) \| (\d+) \| \d+ \|$/gm)].map((m) => ({
      tools: Number(m[2]),
      bytes: Number(m[3]),
    }));
    expect(sizes).toHaveLength(3);
    expect(sizes[0]!.tools).toBeLessThan(6);
    expect(sizes[2]!.bytes).toBeGreaterThan(sizes[0]!.bytes * 10);
    expect(stdout).toMatch(
      /CPU per call at 16 clients .* latchkey [\d.]+ \+ [\d.]+ \+ [\d.]+\. \d+ cores allow at most \d+, \d+ and \d+ calls per second/,
    );
    // memory after a full GC, and three growth levels, each 10x the accounts of the one before
    expect(stdout).toMatch(/\| sessions, each used once over MCP \| [\d,]+ \| -?[\d.]+ MB \| [\d.]+ MB \|/);
    const levels = [
      ...stdout.matchAll(/^\| ([\d,]+) \| ([\d,]+) \| [\d.]+ \| [\d.]+ \| [\d.]+x \| [\d.]+ \| [\d.]+ MB \| [\d.]+ MB \|$/gm),
    ].map((m) => Number(m[1]!.replaceAll(',', '')));
    expect(levels).toHaveLength(3);
    expect(levels[1]! / levels[0]!).toBeGreaterThan(9.9);
    expect(levels[2]! / levels[1]!).toBeGreaterThan(9.9);
    // PostgreSQL beside SQLite in the same run: one process, two on one database, and lookups as accounts grow
    expect(stdout).toMatch(/\| PostgreSQL, one process \| [\d.]+ \| [\d.]+ \| [\d.]+x \| \d+ \| [\d.]+ \|/);
    expect(stdout).toMatch(/\| PostgreSQL, two processes on one database \| \| \| \| \d+ \| [\d.]+ \|/);
    const postgresLevels = [...stdout.matchAll(/^\| ([\d,]+) \| [\d.]+ \| [\d.]+ \| [\d.]+x \|$/gm)].map((m) =>
      Number(m[1]!.replaceAll(',', '')),
    );
    expect(postgresLevels).toEqual([1_000, 10_000]);
    const refresh = stdout.match(/\| (\d+) \| (\d+) \| [\d.]+ \| \d+ \| (\d+) \|/);
    expect(refresh?.[1]).toBe(refresh?.[2]);
    expect(refresh?.[3]).toBe('0');
  }, 480_000);
});
