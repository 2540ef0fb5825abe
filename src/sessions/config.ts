import { z } from 'zod';
import { callbackUrlField } from '../callback-url.ts';

/**
 * A session's configuration: the wire shape Composio's SDK sends (snake_case, `enable`/`disable`),
 * parsed into the internal shape once, and written back in Composio's response shape
 * (`enabled`/`disabled`). Both mappings live here and nowhere else.
 */

const slugList = z.array(z.string().min(1).max(200)).max(500);
// strict: `{enabled: [...]}` (a common slip) must fail loudly, as it does at Composio, not enable everything
const enableDisable = z.union([slugList, z.object({ enable: slugList.optional(), disable: slugList.optional() }).strict()]);

export const sessionConfigWire = z
  .object({
    toolkits: enableDisable.nullable().optional(),
    tools: z
      .record(
        z.string().max(100),
        z.union([
          slugList,
          z.object({ enable: slugList.optional(), disable: slugList.optional(), tags: enableDisable.optional() }).passthrough(),
        ]),
      )
      .nullable()
      .optional(),
    tags: enableDisable.nullable().optional(),
    auth_configs: z.record(z.string().max(100), z.string().max(100)).nullable().optional(),
    connected_accounts: z
      .record(z.string().max(100), z.union([z.string().max(100), z.array(z.string().max(100)).max(10)]))
      .nullable()
      .optional(),
    manage_connections: z
      .union([
        z.boolean(),
        z
          .object({
            enable: z.boolean().optional(),
            enabled: z.boolean().optional(),
            callback_url: callbackUrlField.nullable().optional(),
            enable_wait_for_connections: z.boolean().optional(),
            enable_connection_removal: z.boolean().optional(),
          })
          .passthrough(),
      ])
      .nullable()
      .optional(),
    multi_account: z
      .object({
        enable: z.boolean().optional(),
        max_accounts_per_toolkit: z.number().int().min(1).max(10).optional(),
        require_explicit_selection: z.boolean().optional(),
      })
      .passthrough()
      .nullable()
      .optional(),
    search: z.object({ enable: z.boolean().optional() }).passthrough().nullable().optional(),
    execute: z.object({ enable_multi_execute: z.boolean().optional() }).passthrough().nullable().optional(),
    workbench: z.object({ enable: z.boolean().optional() }).passthrough().nullable().optional(),
    preload: z
      .object({ tools: z.union([z.array(z.string()), z.literal('all')]).optional() })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough();

export const createSessionBody = sessionConfigWire.extend({ user_id: z.string().min(1).max(256) });
export const updateSessionBody = sessionConfigWire.extend({ expected_config_version: z.number().int().optional() });

export type SessionConfigWire = z.infer<typeof sessionConfigWire>;

export interface Selection {
  enabled?: string[];
  disabled?: string[];
}

export interface SessionConfig {
  userId: string;
  toolkits: Selection;
  tools: Record<string, Selection & { tags?: Selection }>;
  tags: Selection;
  authConfigs: Record<string, string>;
  connectedAccounts: Record<string, string[]>;
  manageConnections: { enabled: boolean; callbackUrl: string | null; waitForConnections: boolean; connectionRemoval: boolean };
  multiAccount: { enabled: boolean; maxAccountsPerToolkit: number; requireExplicitSelection: boolean };
  searchEnabled: boolean;
  multiExecuteEnabled: boolean;
  /**
   * toolkit tools exposed directly (tools/list, session.tools()) beside the meta tools: none by
   * default, as at Composio, a list of slugs, or 'all' the session's filters allow. Configs stored
   * before this field existed read as none.
   */
  preload?: string[] | 'all';
}

function selection(value: z.infer<typeof enableDisable> | null | undefined, lower: boolean): Selection {
  if (!value) return {};
  const norm = (list: string[] | undefined) => list?.map((s) => (lower ? s.toLowerCase() : s.toUpperCase()));
  if (Array.isArray(value)) return { enabled: norm(value) };
  return { enabled: norm(value.enable), disabled: norm(value.disable) };
}

/** Applies a wire config (create, or a PATCH over `base`): `null` clears a field, absence keeps it. */
export function parseSessionConfig(wire: SessionConfigWire, base: SessionConfig): SessionConfig {
  const next: SessionConfig = structuredClone(base);
  if (wire.toolkits !== undefined) next.toolkits = selection(wire.toolkits, true);
  if (wire.tags !== undefined)
    next.tags =
      wire.tags === null
        ? {}
        : { enabled: selection(wire.tags, false).enabled?.map(tagCase), disabled: selection(wire.tags, false).disabled?.map(tagCase) };
  if (wire.tools !== undefined) {
    next.tools = {};
    for (const [toolkit, value] of Object.entries(wire.tools ?? {})) {
      const sel = Array.isArray(value)
        ? { enabled: value.map((s) => s.toUpperCase()) }
        : {
            ...selection({ enable: value.enable, disable: value.disable }, false),
            tags: value.tags ? selection(value.tags, false) : undefined,
          };
      next.tools[toolkit.toLowerCase()] = sel;
    }
  }
  if (wire.auth_configs !== undefined)
    next.authConfigs = Object.fromEntries(Object.entries(wire.auth_configs ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (wire.connected_accounts !== undefined) {
    next.connectedAccounts = Object.fromEntries(
      Object.entries(wire.connected_accounts ?? {}).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v : [v]]),
    );
  }
  if (wire.manage_connections !== undefined) {
    const m = wire.manage_connections;
    if (m === null) next.manageConnections = { ...base.manageConnections, enabled: true };
    else if (typeof m === 'boolean') next.manageConnections = { ...next.manageConnections, enabled: m };
    else
      next.manageConnections = {
        enabled: m.enable ?? m.enabled ?? true,
        callbackUrl: m.callback_url === undefined ? next.manageConnections.callbackUrl : m.callback_url,
        waitForConnections: m.enable_wait_for_connections ?? next.manageConnections.waitForConnections,
        connectionRemoval: m.enable_connection_removal ?? next.manageConnections.connectionRemoval,
      };
  }
  if (wire.multi_account !== undefined) {
    const m = wire.multi_account ?? {};
    const enabled = m.enable ?? false;
    next.multiAccount = {
      enabled,
      maxAccountsPerToolkit: m.max_accounts_per_toolkit ?? 5,
      requireExplicitSelection: m.require_explicit_selection ?? enabled,
    };
  }
  if (wire.search !== undefined) next.searchEnabled = wire.search?.enable ?? true;
  if (wire.execute !== undefined) next.multiExecuteEnabled = wire.execute?.enable_multi_execute ?? true;
  if (wire.preload !== undefined) {
    const tools = wire.preload?.tools;
    next.preload = tools === 'all' ? 'all' : (tools ?? []).map((slug) => slug.toUpperCase());
  }
  return next;
}

function tagCase(tag: string): string {
  const known = ['readOnlyHint', 'createHint', 'updateHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'];
  return known.find((k) => k.toLowerCase() === tag.toLowerCase()) ?? tag;
}

export function defaultSessionConfig(userId: string): SessionConfig {
  return {
    userId,
    toolkits: {},
    tools: {},
    tags: {},
    authConfigs: {},
    connectedAccounts: {},
    manageConnections: { enabled: true, callbackUrl: null, waitForConnections: false, connectionRemoval: true },
    multiAccount: { enabled: false, maxAccountsPerToolkit: 5, requireExplicitSelection: false },
    searchEnabled: true,
    multiExecuteEnabled: true,
    preload: [],
  };
}

const wireSelection = (s: Selection) => (s.enabled ? { enabled: s.enabled } : s.disabled ? { disabled: s.disabled } : undefined);

/** The response `config`, in Composio's shape. */
export function sessionConfigToWire(config: SessionConfig) {
  return {
    user_id: config.userId,
    ...(wireSelection(config.toolkits) ? { toolkits: wireSelection(config.toolkits) } : {}),
    auth_configs: config.authConfigs,
    connected_accounts: config.connectedAccounts,
    manage_connections: {
      enabled: config.manageConnections.enabled,
      callback_url: config.manageConnections.callbackUrl,
      enable_wait_for_connections: config.manageConnections.waitForConnections,
      enable_connection_removal: config.manageConnections.connectionRemoval,
    },
    tools: Object.fromEntries(
      Object.entries(config.tools).map(([k, v]) => [k, { ...wireSelection(v), ...(v.tags ? { tags: v.tags } : {}) }]),
    ),
    tags: { enabled: config.tags.enabled ?? [], disabled: config.tags.disabled ?? [] },
    workbench: { enable: false, proxy_execution_enabled: false },
    multi_account: {
      enable: config.multiAccount.enabled,
      max_accounts_per_toolkit: config.multiAccount.maxAccountsPerToolkit,
      require_explicit_selection: config.multiAccount.requireExplicitSelection,
    },
    preload: { tools: config.preload ?? [] },
    search: { enable: config.searchEnabled },
    execute: { enable_multi_execute: config.multiExecuteEnabled },
  };
}
