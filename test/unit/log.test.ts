import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger, unredacted } from '../../src/log.ts';
import { captureLogs } from '../helpers/logs.ts';
import { ROOT } from '../helpers/spawn-server.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const LOADER = pathToFileURL(`${ROOT}node_modules/tsx/dist/loader.mjs`).href;
const CHILD = [process.execPath, '--import', LOADER, `${ROOT}test/fixtures/log-child.ts`] as const;

/**
 * Runs test/fixtures/log-child.ts; `onChunk` sees each read of its stdout (and may answer on stdin).
 * Resolves with its exit code, its stdout's reads and its lines.
 */
function runLogChild(args: string[], onChunk: (chunk: string, stdin: NodeJS.WritableStream) => void = () => {}) {
  const child = spawn(CHILD[0], [...CHILD.slice(1), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  child.stdout.on('data', (data) => {
    chunks.push(String(data));
    onChunk(String(data), child.stdin);
  });
  return new Promise<{ code: number | null; chunks: string[]; lines: Array<Record<string, unknown>> }>((resolve) =>
    child.on('close', (code) => resolve({ code, chunks, lines: linesOf(chunks.join('')) })),
  );
}

function linesOf(text: string) {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Runs the child with its stdout on a real pipe (a FIFO), read 64 KiB at a time with read(2) by a
 * slow reader, so the pipe fills and the child's writes wait for room, as behind a stalled log
 * shipper. Node's own `stdio: 'pipe'` is a UNIX socket pair, where a write has no PIPE_BUF atomicity
 * (POSIX write(2), "Pipes and FIFOs") and may land in two reads.
 */
async function runLogChildOnFifo(args: string[]) {
  const dir = makeTempDir('latchkey-log-');
  const fifo = join(dir.path, 'stdout');
  execFileSync('mkfifo', [fifo]);
  try {
    // opening either end of a FIFO waits for the other: the reader's open runs on the thread pool
    const opening = open(fifo, 'r');
    const writeEnd = openSync(fifo, 'w');
    const reader = await opening;
    const child = spawn(CHILD[0], [...CHILD.slice(1), ...args], { stdio: ['ignore', writeEnd, 'pipe'] });
    closeSync(writeEnd);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const chunks: string[] = [];
    const buffer = Buffer.alloc(65536);
    for (;;) {
      const { bytesRead } = await reader.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.toString('utf8', 0, bytesRead));
      await sleep(5);
    }
    await reader.close();
    return { code: await exited, chunks, lines: linesOf(chunks.join('')) };
  } finally {
    dir.cleanup();
  }
}

describe('the logger', () => {
  it('writes the access line through the unredacted logger, and still redacts every other line', async () => {
    const { lines, sink } = captureLogs();
    const log = createLogger('info', sink);
    const access = unredacted(log);
    access.info({ request_id: 'req_1', method: 'POST', path: '/tool_router/trs_1/mcp', status: 200, ms: 3 }, 'request');
    log.info({ body: { token: 'tok_secret_value', password: 'hunter2hunter2' } }, 'a call site that slipped');
    await new Promise((resolve) => setImmediate(resolve));
    const [line, other] = lines.map((l) => JSON.parse(l));
    expect(line).toMatchObject({ service: 'latchkey', msg: 'request', request_id: 'req_1', path: '/tool_router/trs_1/mcp', status: 200 });
    expect(other.body).toEqual({ token: '[redacted]', password: '[redacted]' });
    expect(lines.join('\n')).not.toContain('tok_secret_value');
  });
});

describe("the server's log on stdout", () => {
  it('reaches a reader while the process lives on, and what is logged just before an exit is not lost', async () => {
    // the child waits for our answer, which we give only once its first line has arrived
    let answered = false;
    const { code, lines } = await runLogChild(['wait'], (chunk, stdin) => {
      if (answered || !chunk.includes('"msg":"first"')) return;
      answered = true;
      stdin.write('go\n');
    });
    expect(code).toBe(0);
    expect(answered).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual(['first', 'last']);
  });

  it('writes the last line before an uncaught error ends the process', async () => {
    const { code, lines } = await runLogChild(['throw']);
    expect(code).not.toBe(0);
    expect(lines).toEqual([expect.objectContaining({ msg: 'before the crash', level: 50 })]);
  });

  it('hands a pipe whole lines in every read, every line once and in order', async () => {
    const { code, chunks, lines } = await runLogChildOnFifo(['many', '2000']);
    expect(code).toBe(0);
    for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
    expect(lines.map((l) => l.i)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });
});
