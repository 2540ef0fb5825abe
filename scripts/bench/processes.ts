// The processes a benchmark measures: each server runs in its own Node process, apart from the load
// client, so a figure is the server's cost and not the client's or the other servers' contention.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../../test/helpers/spawn-server.ts';

/**
 * The Node flags `npm start` runs the server with (package.json "start"; test/unit/server-flags.test.ts
 * keeps the two the same), so the bench measures latchkey as it is started.
 */
export const SERVER_NODE_ARGS = ['--max-semi-space-size=16'];

const TSX_LOADER = pathToFileURL(`${ROOT}node_modules/tsx/dist/loader.mjs`).href;
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface BenchProcess {
  url: string;
  pid: number;
  /** CPU seconds used so far (user + system), read from /proc */
  cpuSeconds(): number;
  /** heap in use and resident memory after a full garbage collection (only with `heapProbe`) */
  retained(): Promise<{ heapUsed: number; rss: number }>;
  stop(): Promise<void>;
}

/**
 * Starts `node <script>` with the tsx loader and the given environment (PORT included), writes its
 * stdout to `logFile` (a server logs every request; a pipe read by the bench would add the bench's own
 * work to every call), and waits until `probeUrl` answers anything.
 */
export async function startProcess(
  script: string,
  env: Record<string, string>,
  options: { logFile: string; probeUrl: string; url: string; nodeArgs?: string[]; heapProbe?: boolean },
): Promise<BenchProcess> {
  const log = openSync(options.logFile, 'a');
  const heapFile = `${options.logFile}.heap.json`;
  const probe = options.heapProbe
    ? ['--expose-gc', '--import', TSX_LOADER, '--import', pathToFileURL(`${ROOT}scripts/bench/heap-probe.ts`).href]
    : ['--import', TSX_LOADER];
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), ...probe, `${ROOT}${script}`], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? ROOT,
      NODE_ENV: 'production',
      ...env,
      ...(options.heapProbe ? { BENCH_HEAP_FILE: heapFile } : {}),
    },
    stdio: ['ignore', log, 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
    if (process.env.ECHO_STDERR) process.stderr.write(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}:\n${stderr}`);
    if (Date.now() > deadline) throw new Error(`${script} did not answer at ${options.probeUrl}:\n${stderr}`);
    try {
      await (await fetch(options.probeUrl)).arrayBuffer();
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const pid = child.pid!;
  return {
    url: options.url,
    pid,
    cpuSeconds: () => {
      // fields after the command name (which may hold spaces): utime and stime are the 12th and 13th
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    },
    retained: async () => {
      if (!options.heapProbe) throw new Error(`${script} was started without heapProbe`);
      rmSync(heapFile, { force: true });
      child.kill('SIGUSR2');
      for (const deadline = Date.now() + 10_000; !existsSync(heapFile); ) {
        if (Date.now() > deadline) throw new Error(`${script} did not answer SIGUSR2 with its memory`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const usage = JSON.parse(readFileSync(heapFile, 'utf8')) as NodeJS.MemoryUsage;
      return { heapUsed: usage.heapUsed, rss: usage.rss };
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
