import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { authSchemeSchema } from '../../src/catalogue/schema.ts';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
// the one home of each mode, and the toolkit schema that names them
const ALLOWED = [/^schemes\//, /^catalogue\/schema\.ts$/];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('auth modes have one home', () => {
  const modes = authSchemeSchema.options.map((option) => option.shape.mode.value as string);

  it('the toolkit schema names the modes the scan looks for', () => {
    expect(modes).toEqual(expect.arrayContaining(['OAUTH2', 'OAUTH1', 'API_KEY', 'BEARER_TOKEN', 'BASIC', 'NO_AUTH']));
  });

  it('no file outside src/schemes/ and the toolkit schema names a mode', () => {
    const names = modes.join('|');
    // a quoted mode (`'OAUTH2'`, "NO_AUTH", `API_KEY`) or a mode as an object key (`OAUTH2: …`)
    const literal = new RegExp(`(['"\`](${names})['"\`])|(\\b(${names})\\s*:)`);
    const offenders: string[] = [];
    for (const file of sources(SRC)) {
      const path = relative(SRC, file).split('\\').join('/');
      if (ALLOWED.some((pattern) => pattern.test(path))) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (literal.test(line)) offenders.push(`src/${path}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
