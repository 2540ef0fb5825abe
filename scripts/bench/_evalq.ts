import { loadCatalogue } from '../../src/catalogue/load.ts';
import { evaluateSearch, qualityTable } from './search-quality.ts';
import { searchTools } from '../../src/catalogue/search.ts';
import { readFileSync } from 'node:fs';
const file = process.argv[2] ?? '/work/main/scripts/bench/search-queries.json';
const queries = JSON.parse(readFileSync(file, 'utf8'));
const cat = loadCatalogue(['/work/main/tools']);
const r = evaluateSearch(cat, queries);
console.log(qualityTable(r).join('\n'));
if (process.argv[3] === 'misses') {
  const cands = cat.toolkits.flatMap((toolkit) => toolkit.tools.map((tool) => ({ toolkit, tool })));
  for (const q of queries) {
    const hits = searchTools(cands, q.query).slice(0, 5).map((h) => h.tool.slug);
    const rank = hits.findIndex((s) => q.tools.includes(s));
    if (rank !== 0) console.log(rank < 0 ? 'MISS' : `@${rank + 1}`, JSON.stringify(q.query), '->', q.tools[0], '| got', hits.slice(0, 3).join(' '));
  }
}
