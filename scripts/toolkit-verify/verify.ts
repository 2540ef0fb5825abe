import { readFileSync } from 'node:fs';
import type { ToolkitFile } from '../../src/catalogue/schema.ts';
import { checkGraphqlTool } from './check-graphql.ts';
import { checkRestTool } from './check-rest.ts';
import { fetchSpec } from './fetch-spec.ts';
import { loadBoxSdkGen } from './formats/box-sdk-gen.ts';
import { loadDiscovery } from './formats/discovery.ts';
import { loadDropboxStone } from './formats/dropbox-stone.ts';
import { loadFernTypescript } from './formats/fern-typescript.ts';
import { loadFernTypescriptNoSerde } from './formats/fern-typescript-no-serde.ts';
import { loadGoogleapisTypescript } from './formats/googleapis-typescript.ts';
import { loadGraphql } from './formats/graphql.ts';
import { loadGraphqlCodegenTypescript } from './formats/graphql-codegen-typescript.ts';
import { loadDiscordApiSpec } from './formats/discord-api-spec.ts';
import { loadHeyApiTypescript } from './formats/hey-api-typescript.ts';
import { loadNotionEndpoints } from './formats/notion-endpoints.ts';
import { loadOpenApi, readOpenApiFile } from './formats/openapi.ts';
import { loadOpenApiTypescript } from './formats/openapi-typescript.ts';
import { loadOpenApiGeneratorTypescript } from './formats/openapi-generator-typescript.ts';
import { loadOrvalFetch } from './formats/orval-fetch.ts';
import { loadOpenApiGeneratorTypescriptAxios } from './formats/openapi-generator-typescript-axios.ts';
import { loadSlackWebApi } from './formats/slack-web-api.ts';
import { loadSpeakeasyTypescript } from './formats/speakeasy-typescript.ts';
import { loadStainlessTypescript } from './formats/stainless-typescript.ts';
import { loadStripeNode } from './formats/stripe-node.ts';
import { loadZoomRivet } from './formats/zoom-rivet.ts';
import { loadSwaggerCodegenJavascript } from './formats/swagger-codegen-javascript.ts';
import type { LoadedSpec } from './model.ts';
import type { SpecEntry, SpecFormat, SpecRegistry } from './registry.ts';

/** How each format is read, and whether it reads more of its package than the one file (code that imports its neighbours). */
const LOADERS: Record<SpecFormat, { load: (file: string) => LoadedSpec; wholePackage: boolean }> = {
  openapi: { load: (file) => loadOpenApi(readOpenApiFile(file)), wholePackage: false },
  discovery: { load: (file) => loadDiscovery(JSON.parse(readFileSync(file, 'utf8'))), wholePackage: false },
  'googleapis-typescript': { load: loadGoogleapisTypescript, wholePackage: false },
  'openapi-typescript': { load: loadOpenApiTypescript, wholePackage: false },
  'notion-endpoints': { load: loadNotionEndpoints, wholePackage: true },
  'slack-web-api': { load: loadSlackWebApi, wholePackage: true },
  'stripe-node': { load: loadStripeNode, wholePackage: true },
  'openapi-generator-typescript': { load: loadOpenApiGeneratorTypescript, wholePackage: true },
  'box-sdk-gen': { load: loadBoxSdkGen, wholePackage: true },
  'zoom-rivet': { load: loadZoomRivet, wholePackage: true },
  'discord-api-spec': { load: loadDiscordApiSpec, wholePackage: false },
  'hey-api-typescript': { load: loadHeyApiTypescript, wholePackage: true },
  'speakeasy-typescript': { load: loadSpeakeasyTypescript, wholePackage: true },
  'stainless-typescript': { load: loadStainlessTypescript, wholePackage: true },
  'orval-fetch': { load: loadOrvalFetch, wholePackage: true },
  'fern-typescript': { load: loadFernTypescript, wholePackage: true },
  'openapi-generator-typescript-axios': { load: loadOpenApiGeneratorTypescriptAxios, wholePackage: true },
  'dropbox-stone': { load: loadDropboxStone, wholePackage: true },
  'fern-typescript-no-serde': { load: loadFernTypescriptNoSerde, wholePackage: true },
  'swagger-codegen-javascript': { load: loadSwaggerCodegenJavascript, wholePackage: true },
  graphql: { load: loadGraphql, wholePackage: false },
  'graphql-codegen-typescript': { load: loadGraphqlCodegenTypescript, wholePackage: false },
};

export interface ToolResult {
  tool: string;
  status: 'verified' | 'docs' | 'failed';
  problems: string[];
}

export interface Report {
  results: ToolResult[];
  verified: number;
  docs: number;
  failed: number;
}

/**
 * Checks every tool of the toolkits against the source it names: each spec is fetched (once, cached)
 * and read by the loader of its format; a tool naming documentation is counted as reviewed from docs.
 */
export async function verifyToolkits(toolkits: ToolkitFile[], registry: SpecRegistry, cacheDir: string): Promise<Report> {
  const specs = new Map<string, Promise<LoadedSpec>>();
  const load = (id: string, entry: SpecEntry) => {
    let spec = specs.get(id);
    if (!spec) {
      const loader = LOADERS[entry.format];
      spec = fetchSpec(entry, cacheDir, loader.wholePackage).then((file) => underBasePath(loader.load(file), entry.base_path));
      specs.set(id, spec);
    }
    return spec;
  };
  const results: ToolResult[] = [];
  for (const toolkit of toolkits) {
    for (const tool of toolkit.tools) {
      const source = tool.source;
      if ('docs' in source) {
        results.push({ tool: tool.slug, status: 'docs', problems: [] });
        continue;
      }
      const entry = registry.get(source.spec);
      if (!entry) {
        results.push({ tool: tool.slug, status: 'failed', problems: [`spec ${source.spec} is not in the registry`] });
        continue;
      }
      let problems: string[];
      try {
        const spec = await load(source.spec, entry);
        if (spec.kind === 'graphql') problems = checkGraphqlTool(tool, spec.schema, source.operation);
        else {
          const op = spec.operation(source.operation);
          problems = op ? checkRestTool(toolkit, tool, op) : [`${source.spec} has no operation ${source.operation}`];
        }
      } catch (error) {
        problems = [`spec ${source.spec}: ${(error as Error).message}`];
      }
      results.push({ tool: tool.slug, status: problems.length > 0 ? 'failed' : 'verified', problems });
    }
  }
  const count = (status: ToolResult['status']) => results.filter((r) => r.status === status).length;
  return { results, verified: count('verified'), docs: count('docs'), failed: count('failed') };
}

/** A spec whose paths lack the prefix its servers give them (`/v1.0` of Graph's `https://graph.microsoft.com/v1.0`), with it. */
function underBasePath(spec: LoadedSpec, basePath: string | undefined): LoadedSpec {
  if (!basePath || spec.kind !== 'rest') return spec;
  const { operation } = spec;
  return {
    ...spec,
    operation: (id) => {
      const op = operation(id);
      return op && { ...op, path: basePath + op.path };
    },
  };
}
