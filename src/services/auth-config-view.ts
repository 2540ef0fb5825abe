import type { ToolkitFile } from '../catalogue/schema.ts';
import type { Deps } from '../deps.ts';
import { maskSecret } from '../ids.ts';
import { authConfigsRepo, type AuthConfigFilter } from '../../storage/repos/auth-configs.ts';
import { getAuthConfig, secretsOf } from './auth-configs.ts';
import type { AuthConfig } from '../../storage/domain.ts';

/** An auth config as a front end may show it: the client secret opened here and masked. */
export interface AuthConfigView {
  config: AuthConfig;
  maskedClientSecret: string | undefined;
  toolkit: ToolkitFile | undefined;
  /** how many connected accounts use it */
  connections: number;
}

async function viewsOf(deps: Deps, configs: AuthConfig[]): Promise<AuthConfigView[]> {
  const counts = await authConfigsRepo(deps.db).countConnections(configs.map((c) => c.id));
  return configs.map((config) => {
    const secret = secretsOf(deps, config).client_secret;
    return {
      config,
      maskedClientSecret: secret ? maskSecret(secret) : undefined,
      toolkit: deps.catalogue.toolkit(config.toolkitSlug),
      connections: counts.get(config.id) ?? 0,
    };
  });
}

export async function viewAuthConfig(deps: Deps, id: string): Promise<AuthConfigView> {
  const [view] = await viewsOf(deps, [await getAuthConfig(deps, id)]);
  return view!;
}

export async function listAuthConfigs(deps: Deps, filter: AuthConfigFilter): Promise<{ items: AuthConfigView[]; total: number }> {
  const { configs, total } = await authConfigsRepo(deps.db).list(filter);
  return { items: await viewsOf(deps, configs), total };
}
