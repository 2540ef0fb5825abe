// Validates every toolkit file of the built-in catalogue (and of LATCHKEY_TOOLKITS_DIR folders given as
// arguments): schema, lint rules and JSON Schema of each tool's input, every one compiled now (the server
// compiles them on first use). Exits 1 on the first bad catalogue.
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '../src/catalogue/load.ts';

const builtIn = fileURLToPath(new URL('../tools', import.meta.url));
try {
  const catalogue = loadCatalogue([builtIn, ...process.argv.slice(2)], { compileValidatorsNow: true });
  const tools = catalogue.toolkits.reduce((n, t) => n + t.tools.length, 0);
  console.log(`catalogue ok: ${catalogue.toolkits.length} toolkits, ${tools} tools`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
