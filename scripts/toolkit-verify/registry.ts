import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The format of `tools/_specs.json`, the registry of the providers' machine-readable descriptions that
 * tools name in `source.spec`. Each entry says what kind of document it is and where it comes from: an
 * npm package at an exact version and the file inside it (the registry is what CI can reach; npm checks
 * the tarball's integrity), or a URL with the sha256 of its bytes.
 */
export const SPEC_FORMATS = [
  'openapi', // OpenAPI 3.x or Swagger 2 (JSON or YAML)
  'discovery', // a Google API Discovery document (JSON)
  'googleapis-typescript', // the generated client of an `@googleapis/<api>` package (`v1.ts`): Google's Discovery methods as code
  'openapi-typescript', // an OpenAPI document as openapi-typescript types (`interface paths`, `operations`, `components`): Microsoft Graph's on npm
  'notion-endpoints', // `@notionhq/client`'s endpoint table (`build/src/api-endpoints.js`)
  'slack-web-api', // `@slack/web-api`'s typed method table (`dist/methods.d.ts`)
  'stripe-node', // the `stripe` package's generated resources folder (`esm/resources`): request paths and typed params
  'openapi-generator-typescript', // a client of OpenAPI Generator's `typescript` generator compiled to CommonJS (`@hubspot/api-client`'s `lib/codegen`)
  'box-sdk-gen', // Box's generated TypeScript SDK (`box-typescript-sdk-gen`'s `src`): managers that build each request, typed serializers
  'zoom-rivet', // a module folder of Zoom Rivet (`@zoom/rivet`'s `meetings`, `users`): its endpoint builders (`.mjs`) and argument types (`.d.ts`)
  'discord-api-spec', // Discord's OpenAPI document as the `discord-api-spec` package generates it into TypeScript (`build/discord-api-spec.ts`)
  'hey-api-typescript', // a client of `@hey-api/openapi-ts`, bundled (`@sentry/api`'s `dist`: index.js, sdk.gen.d.ts, types.gen.d.ts)
  'speakeasy-typescript', // the TypeScript source of an SDK Speakeasy generated (`@vercel/sdk`'s `src`: `funcs/*.ts` and their models)
  'stainless-typescript', // the TypeScript resources of an SDK Stainless generated (the `cloudflare` package's `src/resources`)
  'orval-fetch', // a client Orval's fetch generator wrote, bundled (`supabase-management-js`'s `dist/index.js`, its `index.d.ts` beside it)
  'fern-typescript', // an SDK Fern generated, compiled (`webflow-api`'s `api/resources`: `client/Client.js` with `Client.d.ts`)
  'openapi-generator-typescript-axios', // a version folder of OpenAPI Generator's `typescript-axios` client, compiled with its .d.ts (`pipedrive`'s `dist/versions/v2`)
  'dropbox-stone', // the `dropbox` package as Stone generates it from Dropbox's API spec: `lib/routes.js` and the typings (`types/index.d.ts`)
  'fern-typescript-no-serde', // a TypeScript SDK Fern generated without its serialization layer (request types under the wire names), compiled with its .d.ts (`intercom-client` 6's `api/resources`)
  'swagger-codegen-javascript', // a client of swagger-codegen's `javascript` generator (`@mailchimp/mailchimp_marketing`'s `src`): no models, so bodies are not checked by name
  'graphql', // a GraphQL schema (SDL)
  'graphql-codegen-typescript', // a GraphQL schema as GraphQL Code Generator's `typescript` plugin writes it (@linear/sdk's bundled .d.ts)
] as const;
export type SpecFormat = (typeof SPEC_FORMATS)[number];

const common = {
  format: z.enum(SPEC_FORMATS),
  title: z.string().optional(),
  docs: z.url().optional(),
  base_path: z
    .string()
    .regex(/^\/[^?#]*[^/]$/, 'base_path is a path such as /v1.0')
    .optional()
    .describe("the path the API's server puts before every path of the document, where the format does not keep the servers"),
};

const npmEntry = z
  .object({
    ...common,
    npm: z.string().regex(/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*@\d+\.\d+\.\d+(-[\w.]+)?$/, 'npm is `<package>@<exact version>`'),
    file: z.string().min(1).describe('the document inside the package, relative to its root'),
  })
  .strict();

const urlEntry = z
  .object({
    ...common,
    url: z
      .url()
      .refine(
        (u) => /^https:\/\//.test(u) || /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(u),
        'a spec URL is https (http only on loopback)',
      ),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 is 64 lower-case hex digits'),
  })
  .strict();

export const specEntrySchema = z.union([npmEntry, urlEntry]);
export type SpecEntry = z.infer<typeof specEntrySchema>;

export const specRegistrySchema = z
  .object({ $comment: z.string().optional() })
  .catchall(specEntrySchema)
  .superRefine((registry, ctx) => {
    for (const id of Object.keys(registry))
      if (id !== '$comment' && !/^[a-z0-9][a-z0-9-]*$/.test(id))
        ctx.addIssue({ code: 'custom', path: [id], message: 'spec ids are lower-kebab-case' });
  });

export type SpecRegistry = Map<string, SpecEntry>;

export function loadSpecRegistry(file: string): SpecRegistry {
  const parsed = specRegistrySchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new Error(`${file}: ${problems.join('; ')}`);
  }
  const { $comment: _, ...entries } = parsed.data;
  return new Map(Object.entries(entries) as Array<[string, SpecEntry]>);
}
