// Preloaded into a server the benchmark measures (with --expose-gc): on SIGUSR2 it collects garbage
// fully and writes its memory figures to BENCH_HEAP_FILE. A figure is then memory the process keeps,
// not garbage a lazy collector has not reclaimed yet (RSS alone moved by tens of MB either way).
import { renameSync, writeFileSync } from 'node:fs';

const file = process.env.BENCH_HEAP_FILE;
const gc = (globalThis as { gc?: () => void }).gc;
if (file && gc) {
  process.on('SIGUSR2', () => {
    gc();
    gc();
    // written whole, then renamed: the bench never reads half a file
    writeFileSync(`${file}.tmp`, JSON.stringify(process.memoryUsage()));
    renameSync(`${file}.tmp`, file);
  });
}
