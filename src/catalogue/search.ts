import type { ToolDefinition, ToolkitFile } from './schema.ts';

export interface ToolHit {
  toolkit: ToolkitFile;
  tool: ToolDefinition;
  score: number;
}

const STOP_WORDS = new Set(['a', 'an', 'the', 'to', 'of', 'for', 'in', 'on', 'and', 'or', 'my', 'me', 'i', 'with', 'from', 'by', 'is', 'it', 'all']);

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && !STOP_WORDS.has(w));
}

/** Crude stemming so "emails" finds "email" and "listing" finds "list". */
function stem(word: string): string {
  return word.replace(/(ies)$/, 'y').replace(/(ing|es|s)$/, '');
}

/**
 * Ranks tools for a free-text query: words in the slug and name weigh most, then tags, then the
 * description; the toolkit's own name counts too. Ties keep catalogue order. Zero-score tools are dropped.
 */
export function searchTools(candidates: Array<{ toolkit: ToolkitFile; tool: ToolDefinition }>, query: string): ToolHit[] {
  const terms = [...new Set(words(query).map(stem))];
  if (terms.length === 0) return candidates.map((c) => ({ ...c, score: 0 }));
  const hits: ToolHit[] = [];
  for (const { toolkit, tool } of candidates) {
    const title = new Set(words(`${tool.slug} ${tool.name}`).map(stem));
    const tags = new Set(tool.tags.flatMap(words).map(stem));
    const body = new Set(words(tool.description).map(stem));
    const kit = new Set(words(`${toolkit.slug} ${toolkit.name}`).map(stem));
    let score = 0;
    for (const term of terms) {
      if (title.has(term)) score += 3;
      else if (body.has(term)) score += 1;
      if (tags.has(term)) score += 1;
      if (kit.has(term)) score += 2;
    }
    if (score > 0) hits.push({ toolkit, tool, score });
  }
  return hits.sort((a, b) => b.score - a.score);
}
