// Checks every tool against the provider's own machine-readable description it names in `source`
// (tools/_specs.json lists them); tools that name a documentation page are counted as reviewed from docs.
// `npm run toolkit:verify [-- <extra toolkit folders>]`; specs are cached in .cache/specs/. Exits 1 on any failure.
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '../src/catalogue/load.ts';
import { loadSpecRegistry } from './toolkit-verify/registry.ts';
import { verifyToolkits } from './toolkit-verify/verify.ts';

const builtIn = fileURLToPath(new URL('../tools', import.meta.url));
const cacheDir = fileURLToPath(new URL('../.cache/specs', import.meta.url));
try {
  const catalogue = loadCatalogue([builtIn, ...process.argv.slice(2)]);
  const registry = loadSpecRegistry(`${builtIn}/_specs.json`);
  const report = await verifyToolkits(catalogue.toolkits, registry, cacheDir);
  for (const r of report.results) if (r.status === 'failed') console.log(`FAIL ${r.tool}: ${r.problems.join('; ')}`);
  console.log(`${report.verified} verified against specs, ${report.docs} reviewed from docs, ${report.failed} failed`);
  if (report.failed > 0) process.exit(1);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
