import { z } from 'zod';
import { callbackUrlField } from '../callback-url.ts';
import { AppError } from '../errors.ts';
import { type Hook, HookConfigError, hookToWire, hooksWire, parseHook, slugList } from './hooks.ts';

/**
 * A session's configuration: the wire shape Composio's SDK sends (snake_case, `enable`/`disable`),
 * parsed into the internal shape once, and written back in Composio's response shape
 * (`enabled`/`disabled`). Both mappings live here and nowhere else.
 */

// strict: `{enabled: [...]}` (a common slip) must fail loudly, as it does at Composio, not enable everything.
// `require_approval` (Composio's approvals): what in this filter needs a person's yes before it runs.
const enableDisable = z.union([
  slugList,
  z.object({ enable: slugList.optional(), disable: slugList.optional(), require_approval: slugList.optional() }).strict(),
]);

/** Composio's `experimental.permissions` (SDK 0.21): a default for every tool and overrides by `TOOL:account`. */
const permissionsWire = z
  .object({
    default: z.enum(['allow_all', 'ask_every_call', 'ask_once_per_session']),
    overrides: z
      .record(z.string().min(1).max(300), z.enum(['always_allow', 'always_deny', 'ask_once', 'ask_always']))
      .refine((o) => Object.keys(o).length <= 500, 'at most 500 overrides')
      .optional(),
  })
  .strict();

export const sessionConfigWire = z
  .object({
    toolkits: enableDisable.nullable().optional(),
    tools: z
      .record(
        z.string().max(100),
        z.union([
          slugList,
          z
            .object({
              enable: slugList.optional(),
              disable: slugList.optional(),
              tags: enableDisable.optional(),
              require_approval: slugList.optional(),
            })
            .passthrough(),
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
    proxy_execute: z.object({ enable: z.boolean().optional() }).passthrough().nullable().optional(),
    hooks: hooksWire.nullable().optional(),
    experimental: z.object({ permissions: permissionsWire.nullable().optional() }).passthrough().nullable().optional(),
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
  /** what in this filter needs a person's approval before it runs (toolkit slugs, tool slugs or tags) */
  requireApproval?: string[];
}

export type Permissions = z.infer<typeof permissionsWire>;

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
  /** Composio's `experimental.permissions`, when set (configs stored before it read as unset) */
  permissions?: Permissions | null;
  /** before_execute hooks, in order */
  hooks?: Hook[];
  /** whether COMPOSIO_PROXY_EXECUTE is listed */
  proxyExecute?: boolean;
}

function selection(value: z.infer<typeof enableDisable> | null | undefined, lower: boolean): Selection {
  if (!value) return {};
  const norm = (list: string[] | undefined) => list?.map((s) => (lower ? s.toLowerCase() : s.toUpperCase()));
  if (Array.isArray(value)) return { enabled: norm(value) };
  return withoutUnset({ enabled: norm(value.enable), disabled: norm(value.disable), requireApproval: norm(value.require_approval) });
}

function tagSelection(value: z.infer<typeof enableDisable> | null | undefined): Selection {
  if (!value) return {};
  const sel = selection(value, false);
  return withoutUnset({
    enabled: sel.enabled?.map(tagCase),
    disabled: sel.disabled?.map(tagCase),
    requireApproval: sel.requireApproval?.map(tagCase),
  });
}

const withoutUnset = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

function parseHooks(wire: z.infer<typeof hooksWire>): Hook[] {
  try {
    return wire.map(parseHook);
  } catch (error) {
    if (!(error instanceof HookConfigError)) throw error;
    throw new AppError('VALIDATION_FAILED', {
      message: `${error.field}: ${error.message}`,
      errors: [{ field: error.field, message: error.message }],
    });
  }
}

/** Applies a wire config (create, or a PATCH over `base`): `null` clears a field, absence keeps it. */
export function parseSessionConfig(wire: SessionConfigWire, base: SessionConfig): SessionConfig {
  const next: SessionConfig = structuredClone(base);
  if (wire.toolkits !== undefined) next.toolkits = selection(wire.toolkits, true);
  if (wire.tags !== undefined) next.tags = tagSelection(wire.tags);
  if (wire.tools !== undefined) {
    next.tools = {};
    for (const [toolkit, value] of Object.entries(wire.tools ?? {})) {
      const sel = Array.isArray(value)
        ? { enabled: value.map((s) => s.toUpperCase()) }
        : withoutUnset({
            ...selection({ enable: value.enable, disable: value.disable, require_approval: value.require_approval }, false),
            tags: value.tags ? tagSelection(value.tags) : undefined,
          });
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
  if (wire.hooks !== undefined) next.hooks = parseHooks(wire.hooks ?? []);
  if (wire.proxy_execute !== undefined) next.proxyExecute = wire.proxy_execute?.enable ?? false;
  if (wire.experimental === null) next.permissions = null;
  else if (wire.experimental?.permissions !== undefined) next.permissions = permissionsOf(wire.experimental.permissions);
  if (wire.preload !== undefined) {
    const tools = wire.preload?.tools;
    next.preload = tools === 'all' ? 'all' : (tools ?? []).map((slug) => slug.toUpperCase());
  }
  return next;
}

/** Override keys name a tool as slugs are named everywhere else: upper case (`notes_delete:ca_1` is `NOTES_DELETE:ca_1`). */
function permissionsOf(wire: Permissions | null): Permissions | null {
  if (!wire?.overrides) return wire;
  const overrides = Object.fromEntries(
    Object.entries(wire.overrides).map(([key, value]) => {
      const at = key.indexOf(':');
      return [at < 0 ? key.toUpperCase() : `${key.slice(0, at).toUpperCase()}${key.slice(at)}`, value];
    }),
  );
  return { ...wire, overrides };
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
    permissions: null,
    hooks: [],
    proxyExecute: false,
  };
}

const wireSelection = (s: Selection) => {
  const filter = s.enabled ? { enabled: s.enabled } : s.disabled ? { disabled: s.disabled } : {};
  const approval = s.requireApproval ? { require_approval: s.requireApproval } : {};
  return Object.keys(filter).length + Object.keys(approval).length > 0 ? { ...filter, ...approval } : undefined;
};

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
      Object.entries(config.tools).map(([k, v]) => [k, { ...wireSelection(v), ...(v.tags ? { tags: wireTags(v.tags) } : {}) }]),
    ),
    tags: {
      enabled: config.tags.enabled ?? [],
      disabled: config.tags.disabled ?? [],
      ...(config.tags.requireApproval ? { require_approval: config.tags.requireApproval } : {}),
    },
    workbench: { enable: false, proxy_execution_enabled: false },
    multi_account: {
      enable: config.multiAccount.enabled,
      max_accounts_per_toolkit: config.multiAccount.maxAccountsPerToolkit,
      require_explicit_selection: config.multiAccount.requireExplicitSelection,
    },
    preload: { tools: config.preload ?? [] },
    search: { enable: config.searchEnabled },
    execute: { enable_multi_execute: config.multiExecuteEnabled },
    proxy_execute: { enable: config.proxyExecute ?? false },
    hooks: (config.hooks ?? []).map(hookToWire),
    ...(config.permissions ? { experimental: { permissions: config.permissions } } : {}),
  };
}

const wireTags = (s: Selection) => withoutUnset({ enabled: s.enabled, disabled: s.disabled, require_approval: s.requireApproval });
