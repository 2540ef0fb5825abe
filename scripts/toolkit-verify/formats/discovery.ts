import { fromJsonSchema, type LoadedSpec, type SpecOperation, type SpecSchema } from '../model.ts';

/** A Discovery parameter or schema as a JSON Schema node (`repeated` is an array of it). */
function discoveryNode(p: any): unknown {
  return p.repeated ? { type: 'array', items: { ...p, repeated: false } } : p;
}

/** A Google API Discovery document: its methods by id (`gmail.users.messages.send`). */
export function loadDiscovery(doc: any): LoadedSpec {
  const resolve = (n: unknown) => {
    const ref = (n as any)?.$ref;
    return typeof ref === 'string' ? doc.schemas?.[ref] : n;
  };
  const schema = (n: unknown): SpecSchema => fromJsonSchema(n, resolve);
  const base = new URL(doc.servicePath ?? '', doc.rootUrl ?? 'https://x/').pathname.replace(/\/+$/, '');
  const operations = new Map<string, SpecOperation>();
  const walk = (resources: Record<string, any>) => {
    for (const resource of Object.values(resources ?? {})) {
      for (const m of Object.values<any>(resource.methods ?? {})) {
        const params = Object.entries<any>(m.parameters ?? {})
          .filter(([, p]) => p.location === 'path' || p.location === 'query')
          .map(([name, p]) => ({ name, in: p.location, required: Boolean(p.required), schema: schema(discoveryNode(p)) }));
        const path = `${base}/${(m.flatPath ?? m.path).replace(/\{\+/g, '{')}`;
        const body = m.request ? { media: ['json' as const], schema: schema(m.request) } : undefined;
        operations.set(m.id, { id: m.id, methods: [m.httpMethod], path, params, body, knowsRequired: true });
      }
      walk(resource.resources);
    }
  };
  walk(doc.resources);
  for (const m of Object.values<any>(doc.methods ?? {})) walk({ _: { methods: { m } } });
  return { kind: 'rest', operation: (id) => operations.get(id), ids: () => [...operations.keys()] };
}
