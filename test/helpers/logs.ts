import { Writable } from 'node:stream';

/** A log destination that keeps every line, for checks that no secret reaches the logs. */
export function captureLogs(): { lines: string[]; sink: Writable } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, sink };
}

/** The access log line of a request is written in the event-loop turn after its answer: wait for it. */
export const accessLogsWritten = () => new Promise<void>((resolve) => setImmediate(resolve));
