import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Spec } from './read-spec.ts';

const isUrl = (source: string) => /^https?:\/\//.test(source);

/**
 * The `tools/_specs.json` entry the operator adds so that `npm run toolkit:verify` can check the
 * tools against the document later: where it came from, its sha256 (so a changed document is noticed)
 * and its format. Printed, not written: the registry is reviewed by hand.
 */
export async function specsEntry(source: string, spec: Spec): Promise<Record<string, unknown>> {
  const bytes = isUrl(source)
    ? Buffer.from(await (await fetch(source, { signal: AbortSignal.timeout(15_000) })).arrayBuffer())
    : readFileSync(source);
  const format = typeof spec.swagger === 'string' ? 'swagger2' : 'openapi3';
  return {
    ...(isUrl(source) ? { url: source } : { file: source }),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    format,
  };
}
