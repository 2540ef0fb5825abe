import { createRequire } from 'node:module';
import type { LoadedSpec, SpecOperation } from '../model.ts';

/**
 * `@notionhq/client`'s endpoint table (`build/src/api-endpoints.js`): per endpoint its method, path
 * parameters, query parameters and body parameters, the data the client itself sends requests by.
 * Operations are its export names (`getPage`, `queryDatabase`); paths are under `/v1`. The table does not
 * say which parameters are required.
 */
export function loadNotionEndpoints(file: string): LoadedSpec {
  const table = createRequire(import.meta.url)(file) as Record<string, any>;
  const operation = (id: string): SpecOperation | undefined => {
    const e = Object.hasOwn(table, id) ? table[id] : undefined;
    if (!e || typeof e.path !== 'function' || typeof e.method !== 'string') return undefined;
    const pathParams: string[] = e.pathParams ?? [];
    const path = `/v1/${e.path(Object.fromEntries(pathParams.map((p) => [p, `{${p}}`])))}`;
    const bodyParams: string[] = e.bodyParams ?? [];
    return {
      id,
      methods: [e.method.toUpperCase()],
      path,
      params: [
        ...pathParams.map((name) => ({ name, in: 'path' as const, required: true, schema: {} })),
        ...(e.queryParams ?? []).map((name: string) => ({ name, in: 'query' as const, required: false, schema: {} })),
      ],
      body:
        bodyParams.length > 0 ? { media: ['json'], schema: { properties: Object.fromEntries(bodyParams.map((p) => [p, {}])) } } : undefined,
      knowsRequired: false,
    };
  };
  return { kind: 'rest', operation };
}
