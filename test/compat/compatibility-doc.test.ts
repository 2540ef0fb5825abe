import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/spawn-server.ts';

/** docs/compatibility.md stays true: every row marked supported is exercised by the test file it names. */
describe('docs/compatibility.md', () => {
  const rows = readFileSync(`${ROOT}docs/compatibility.md`, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| SDK call') && !l.startsWith('|---'))
    .map((l) => l.split('|').map((c) => c.trim()));

  it('has rows, and every supported row names an existing test that contains its call or path', () => {
    const supported = rows.filter((r) => r[3] === 'supported');
    expect(supported.length).toBeGreaterThan(30);
    for (const row of supported) {
      const needle = row[1]!.match(/`([^`]+)`/)?.[1];
      const file = row[4]!;
      expect(needle, row[1]).toBeTruthy();
      expect(existsSync(`${ROOT}${file}`), `${file} for ${needle}`).toBe(true);
      const text = readFileSync(`${ROOT}${file}`, 'utf8');
      // `{id}`-style placeholders stand for values: each literal part must appear
      for (const part of needle!
        .replace(/^composio\./, '')
        .split(/\{[^}]+\}/)
        .filter(Boolean)) {
        expect(text, `${file} should exercise ${needle}`).toContain(part);
      }
    }
    for (const row of rows) expect(['supported', 'not supported'], row[1]).toContain(row[3]);
  });
});
