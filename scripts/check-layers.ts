// The layer rule of the README's architecture section, checked over the import graph of `src/` and
// `storage/`: no import from a lower layer to a higher one, none from the edge straight to storage, no cycle. `npx tsx scripts/check-layers.ts`
// prints the offending edges and exits 1; test/unit/check-layers.test.ts runs the same check.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Highest first. A file may import its own layer or any layer below; a folder entry ends with `/`.
 * Every file must be named here, so a new top-level file or folder takes its place on purpose.
 */
export const LAYERS: ReadonlyArray<{ name: string; members: readonly string[] }> = [
  // builds deps, starts the listener and the loops, turns an operator's mistake into one line
  { name: 'composition', members: ['src/main.ts', 'src/bootstrap.ts', 'src/server.ts', 'src/background.ts', 'src/startup-error.ts'] },
  {
    name: 'edge',
    members: ['src/api/', 'src/mcp/', 'src/connect/', 'src/console/', 'src/authserver/', 'src/delivery/', 'src/http/', 'src/app.ts'],
  },
  { name: 'features', members: ['src/sessions/', 'src/services/', 'src/grants/', 'src/refresh/', 'src/webhooks/', 'src/auth/'] },
  // the injection point and the configuration name the engine's and storage's types (the vault's key
  // ring, the catalogue, the database); features and the edge read them, the engine is handed values
  { name: 'wiring', members: ['src/config.ts', 'src/deps.ts'] },
  { name: 'engine', members: ['src/execution/', 'src/oauth/', 'src/vault/', 'src/catalogue/', 'src/schemes/'] },
  { name: 'storage', members: ['storage/'] },
  {
    name: 'base',
    members: [
      'src/errors.ts',
      'src/ids.ts',
      'src/log.ts',
      'src/callback-url.ts',
      'src/canonical-json.ts',
      'src/json-depth.ts',
      'src/json-object.ts',
      'src/dot-path.ts',
    ],
  },
];

/**
 * Downward imports that still skip too far: a route calls a feature (a service) rather than reading and
 * writing rows itself, so a second front end (a console, an OAuth server) reuses the feature.
 */
export const SKIPS_FORBIDDEN: ReadonlyArray<{ from: string; to: string; why: string }> = [
  { from: 'edge', to: 'storage', why: 'the edge reaches data through a feature' },
];

/** Edges the check tolerates, as `from -> to`: none. An entry here needs a reason beside it. */
export const ALLOWED: readonly string[] = [];

const ROOTS = ['src', 'storage'];

export interface LayerReport {
  /** lower layer -> higher layer, a skip SKIPS_FORBIDDEN names, or a file no layer names */
  forbidden: string[];
  /** one line per cycle: its edges */
  cycles: string[];
}

export function layerOf(file: string): number {
  return LAYERS.findIndex((layer) => layer.members.some((m) => (m.endsWith('/') ? file.startsWith(m) : file === m)));
}

/** Relative imports of every .ts and .tsx file under the roots, as repo-relative paths. */
export function importGraph(root: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of ROOTS.flatMap((dir) => tsFiles(join(root, dir)))) {
    const from = relative(root, file);
    const targets = new Set<string>();
    for (const imported of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      const target = resolveImport(dirname(file), imported.fileName);
      if (target) targets.add(relative(root, target));
    }
    graph.set(from, targets);
  }
  return graph;
}

export function checkGraph(graph: Map<string, Set<string>>, allowed: readonly string[] = ALLOWED): LayerReport {
  const forbidden: string[] = [];
  const kept = new Map<string, string[]>();
  for (const [from, targets] of graph) {
    const fromLayer = layerOf(from);
    if (fromLayer < 0) forbidden.push(`${from}: in no layer (add it to LAYERS in scripts/check-layers.ts)`);
    const edges: string[] = [];
    for (const to of targets) {
      if (allowed.includes(`${from} -> ${to}`)) continue;
      edges.push(to);
      const toLayer = layerOf(to);
      if (toLayer < 0) {
        if (!graph.has(to)) forbidden.push(`${from} -> ${to}: outside src/ and storage/`);
        continue;
      }
      if (fromLayer < 0) continue;
      const [fromName, toName] = [LAYERS[fromLayer]!.name, LAYERS[toLayer]!.name];
      if (toLayer < fromLayer) forbidden.push(`${from} (${fromName}) -> ${to} (${toName}): upward`);
      const skip = SKIPS_FORBIDDEN.find((rule) => rule.from === fromName && rule.to === toName);
      if (skip) forbidden.push(`${from} (${fromName}) -> ${to} (${toName}): ${skip.why}`);
    }
    kept.set(from, edges);
  }
  return { forbidden, cycles: cyclesOf(kept) };
}

/** Tarjan's strongly connected components; each component of more than one file is a cycle. */
function cyclesOf(graph: Map<string, string[]>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = new Set<string>();
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.add(member);
    } while (member !== node);
    const edges = [...component].flatMap((from) =>
      (graph.get(from) ?? []).filter((to) => component.has(to)).map((to) => `${from} -> ${to}`),
    );
    if (edges.length > 0) cycles.push(edges.sort().join(', '));
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return tsFiles(path);
      return (name.endsWith('.ts') || name.endsWith('.tsx')) && !name.endsWith('.d.ts') ? [path] : [];
    });
}

function resolveImport(fromDir: string, specifier: string): string | undefined {
  const base = resolve(fromDir, specifier);
  return [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find(
    (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const { forbidden, cycles } = checkGraph(importGraph(root));
  for (const edge of forbidden) console.error(`forbidden import: ${edge}`);
  for (const cycle of cycles) console.error(`import cycle: ${cycle}`);
  if (forbidden.length + cycles.length > 0) process.exit(1);
  console.log('layers ok');
}
