import type { FieldDefinition, ToolDefinition, ToolkitFile } from '../../catalogue/schema.ts';
import { CATALOGUE_VERSION } from '../../catalogue/version.ts';
import { isNoAuth, managedModes, schemeModule } from '../../schemes/registry.ts';

/** Catalogue → Composio wire shapes, in one place. */

export { isNoAuth } from '../../schemes/registry.ts';

/**
 * Schemes an auth config can be created for without the app's own credentials: OAuth ones where the
 * operator configured a default app (LATCHKEY_OAUTH_<SLUG>_…), and every scheme whose secret comes from
 * the user (API key, token, basic).
 */
export function managedSchemes(toolkit: ToolkitFile, operatorApps: Record<string, unknown>): string[] {
  return managedModes(toolkit, operatorApps[toolkit.slug] !== undefined);
}

function wireField(field: FieldDefinition) {
  return {
    name: field.name,
    displayName: field.display_name,
    type: 'string',
    description: field.description ?? field.display_name,
    required: field.required,
    default: field.default ?? null,
    is_secret: field.secret,
  };
}

function split(fields: FieldDefinition[]) {
  return { required: fields.filter((f) => f.required).map(wireField), optional: fields.filter((f) => !f.required).map(wireField) };
}

export function authConfigDetails(toolkit: ToolkitFile) {
  const connection = toolkit.connection_fields ?? [];
  return toolkit.auth_schemes.map((scheme) => ({
    mode: scheme.mode,
    name: scheme.mode,
    fields: {
      auth_config_creation: split(schemeModule(scheme.mode).authConfigFields(scheme)),
      connected_account_initiation: split([...connection, ...schemeModule(scheme.mode).connectionFields(scheme)]),
    },
    proxy: { base_url: toolkit.base_url },
  }));
}

/** A category's id (Composio's `id`, or `slug` on a single toolkit): its name, lower-case, words joined by dashes. */
export function categoryId(name: string): string {
  return name.toLowerCase().replace(/\W+/g, '-');
}

/** Every category of the catalogue once, by name: `GET /toolkits/categories`. */
export function toolkitCategories(toolkits: ToolkitFile[]): Array<{ id: string; name: string }> {
  const byId = new Map<string, string>();
  for (const name of toolkits.flatMap((t) => t.categories ?? [])) if (!byId.has(categoryId(name))) byId.set(categoryId(name), name);
  return [...byId].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Composio's toolkit timestamps. The catalogue changes only with a release, which its version names
 * (`20261122_00`), so that day stands for both: stable across requests and restarts.
 */
const CATALOGUE_DATE = new Date(
  `${CATALOGUE_VERSION.slice(0, 4)}-${CATALOGUE_VERSION.slice(4, 6)}-${CATALOGUE_VERSION.slice(6, 8)}T00:00:00Z`,
).toISOString();

/**
 * `meta` as both API generations declare it. The list names a category `{id, name}`, the single
 * toolkit `{slug, name}` (the SDK maps each to `{slug, name}` and fails on the other shape).
 */
function meta(toolkit: ToolkitFile, categoryKey: 'id' | 'slug') {
  return {
    description: toolkit.description,
    logo: toolkit.logo ?? '',
    app_url: toolkit.docs_url ?? null,
    categories: (toolkit.categories ?? []).map((name) => ({ [categoryKey]: categoryId(name), name })),
    tools_count: toolkit.tools.length,
    triggers_count: 0,
    created_at: CATALOGUE_DATE,
    updated_at: CATALOGUE_DATE,
    version: CATALOGUE_VERSION,
    available_versions: [CATALOGUE_VERSION],
  };
}

export function toolkitListItem(toolkit: ToolkitFile, operatorApps: Record<string, unknown>) {
  return {
    name: toolkit.name,
    slug: toolkit.slug,
    type: 'native' as const,
    auth_schemes: toolkit.auth_schemes.map((s) => s.mode),
    composio_managed_auth_schemes: managedSchemes(toolkit, operatorApps),
    is_local_toolkit: false,
    no_auth: isNoAuth(toolkit),
    deprecated: { toolkitId: toolkit.slug },
    meta: meta(toolkit, 'id'),
  };
}

export function toolkitDetail(toolkit: ToolkitFile, operatorApps: Record<string, unknown>) {
  const managed = new Set(managedSchemes(toolkit, operatorApps));
  return {
    ...toolkitListItem(toolkit, operatorApps),
    meta: meta(toolkit, 'slug'),
    enabled: true,
    composio_managed_auth: toolkit.auth_schemes
      .filter((s) => managed.has(s.mode))
      .map((s) => ({ mode: s.mode, scopes: { available: 'default_scopes' in s ? s.default_scopes : [] } })),
    deprecated: { toolkitId: toolkit.slug, rawProxyInfoByAuthSchemes: [] },
    base_url: toolkit.base_url,
    connection_fields: (toolkit.connection_fields ?? []).map(wireField),
    auth_config_details: authConfigDetails(toolkit),
  };
}

const DEFAULT_OUTPUT = {
  type: 'object',
  properties: {
    data: { type: 'object', description: "The upstream API's answer" },
    error: { type: ['string', 'null'], description: 'What went wrong, or null' },
    successful: { type: 'boolean', description: 'Whether the call succeeded' },
  },
  required: ['data', 'successful'],
};

export function toolWire(toolkit: ToolkitFile, tool: ToolDefinition) {
  return {
    slug: tool.slug,
    name: tool.name,
    description: tool.description,
    human_description: tool.description,
    toolkit: { slug: toolkit.slug, name: toolkit.name, logo: toolkit.logo ?? '' },
    input_parameters: tool.input_parameters,
    output_parameters: tool.output_parameters ?? DEFAULT_OUTPUT,
    no_auth: isNoAuth(toolkit),
    available_versions: [CATALOGUE_VERSION],
    version: CATALOGUE_VERSION,
    scopes: tool.scopes ?? [],
    tags: tool.tags,
    is_deprecated: false,
    deprecated: {
      version: CATALOGUE_VERSION,
      available_versions: [CATALOGUE_VERSION],
      displayName: tool.name,
      is_deprecated: false,
      toolkit: { logo: toolkit.logo ?? '' },
    },
  };
}
