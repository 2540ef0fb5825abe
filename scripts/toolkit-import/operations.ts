import { ImportError, type Warnings } from './errors.ts';
import type { Spec } from './read-spec.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface Operation {
  id: string;
  method: string;
  path: string;
  /** path-level parameters merged with the operation's (the operation's win: OpenAPI 3.0.3 4.7.9) */
  parameters: Spec[];
  operation: Spec;
}

function merged(pathItem: Spec, operation: Spec): Spec[] {
  const key = (p: Spec) => `${p.in}:${p.name}`;
  const own = new Set((operation.parameters ?? []).map(key));
  return [...(pathItem.parameters ?? []).filter((p: Spec) => !own.has(key(p))), ...(operation.parameters ?? [])];
}

/** Every operation with an operationId, in document order. */
export function listOperations(spec: Spec, warnings: Warnings): Operation[] {
  const operations: Operation[] = [];
  for (const [path, pathItem] of Object.entries<Spec>(spec.paths ?? {})) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      if (typeof operation.operationId !== 'string' || operation.operationId === '') {
        warnings.push(`${method.toUpperCase()} ${path} has no operationId; it cannot be named and was not imported`);
        continue;
      }
      operations.push({
        id: operation.operationId,
        method: method.toUpperCase(),
        path,
        parameters: merged(pathItem, operation),
        operation,
      });
    }
  }
  return operations;
}

/**
 * The operations `--operations` names: a comma-separated list of operationIds, or `all`, or
 * `all-<method>` (`all-get`: every read). An id the document does not have stops the import.
 */
export function selectOperations(all: Operation[], choice: string): Operation[] {
  const wanted = choice
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (wanted.length === 0) throw new ImportError('--operations names no operation');
  const chosen = new Map<string, Operation>();
  const unknown: string[] = [];
  for (const name of wanted) {
    const group = /^all(?:-(get|put|post|delete|patch))?$/i.exec(name);
    const matches = group ? all.filter((o) => !group[1] || o.method === group[1].toUpperCase()) : all.filter((o) => o.id === name);
    if (matches.length === 0 && !group) unknown.push(name);
    for (const o of matches) chosen.set(o.id, o);
  }
  if (unknown.length > 0) {
    const known = all.map((o) => o.id);
    const hint = known.length > 0 ? `; the document has ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}` : '';
    throw new ImportError(`unknown operation${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}${hint}`);
  }
  if (chosen.size === 0) throw new ImportError(`--operations ${choice} selects no operation of the document`);
  return [...chosen.values()];
}
