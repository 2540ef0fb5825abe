import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_ARGS } from '../../scripts/bench/processes.ts';

describe('the Node flags the server runs with', () => {
  it('are the same for `npm start` and for the bench, which measures the server as it is started', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const start = pkg.scripts.start!.split(/\s+/);
    expect(start.at(-1)).toBe('src/main.ts');
    const flags = start.filter((word) => word.startsWith('--'));
    expect(flags).toEqual(SERVER_NODE_ARGS);
  });
});
