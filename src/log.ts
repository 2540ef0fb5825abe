import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Call sites never log secrets; redaction is the second line of defence for
 * fields that could carry one if a future call site slipped.
 */
const REDACT = [
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.api_key',
  '*.password',
  '*.secret',
];

/**
 * Lines go to stdout with write(2) from this thread, as Node's own stdout does for files and pipes
 * on Linux: pino's default stream writes through libuv's thread pool instead, a thread hand-off and
 * an extra event-loop wake-up per line (seen with strace). They are written in batches: one write
 * once LOG_BATCH_BYTES have gathered, and what has gathered every LOG_FLUSH_MS. On this machine kind
 * a system call on a request's path costs some 10 µs, more than making the access-log line (one
 * write per line against batches, alternated over several processes each: a call's median at one
 * client 75, 0 and 60 µs lower in three runs). A batch is whole lines, a little over
 * LOG_BATCH_BYTES: under PIPE_BUF (4096 bytes) for lines of ordinary length, so a reader of a pipe
 * still gets whole lines in each read (a UNIX socket, as Node's spawn and journald hand a child,
 * makes no such promise: a reader there joins its reads). What is left is written as the process
 * exits (normally, on SIGTERM, or on an uncaught error); a SIGKILL loses at most the last
 * LOG_FLUSH_MS of lines. A stalled log reader still slows the server rather than growing its memory
 * without bound.
 */
export function createLogger(level: string, destination: DestinationStream = batchedStdout()): Logger {
  return pino({ level, base: { service: 'latchkey' }, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}

const LOG_BATCH_BYTES = 2048;
const LOG_FLUSH_MS = 100;

function batchedStdout(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: true, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS });
  process.once('exit', () => {
    try {
      stream.flushSync();
    } catch {
      // stdout is gone (a closed pipe): nothing left to write to
    }
  });
  return stream;
}

/**
 * The same logger without the redaction walk, for lines whose fields are fixed, flat and written by
 * us (the access log's: no redaction path can match them). Redacting cost more than writing such a
 * line (about 14 µs against 4 µs, measured), and every request writes one.
 */
export function unredacted(log: Logger): Logger {
  return log.child({}, { redact: { paths: [], censor: '[redacted]' } });
}
