import type { ToolkitFile } from '../catalogue/schema.ts';
import type { Deps } from '../deps.ts';
import { maskSecret } from '../ids.ts';
import { authConfigsRepo, type AuthConfigFilter, type AuthConfigRow } from '../../storage/repos/auth-configs.ts';
import { getAuthConfig, secretsOf, settingsOf, type AuthConfigSettings } from './auth-configs.ts';

/** An auth config as a front end may show it: settings parsed, the client secret opened here and masked. */
export interface AuthConfigView {
  row: AuthConfigRow;
  settings: AuthConfigSettings;
  maskedClientSecret: string | undefined;
  toolkit: ToolkitFile | undefined;
  /** how many connected accounts use it */
  connections: number;
}

async function viewsOf(deps: Deps, rows: AuthConfigRow[]): Promise<AuthConfigView[]> {
  const counts = await authConfigsRepo(deps.db).countConnections(rows.map((r) => r.id));
  return rows.map((row) => {
    const secret = secretsOf(deps, row).client_secret;
    return {
      row,
      settings: settingsOf(row),
      maskedClientSecret: secret ? maskSecret(secret) : undefined,
      toolkit: deps.catalogue.toolkit(row.toolkit_slug),
      connections: counts.get(row.id) ?? 0,
    };
  });
}

export async function viewAuthConfig(deps: Deps, id: string): Promise<AuthConfigView> {
  const [view] = await viewsOf(deps, [await getAuthConfig(deps, id)]);
  return view!;
}

export async function listAuthConfigs(deps: Deps, filter: AuthConfigFilter): Promise<{ items: AuthConfigView[]; total: number }> {
  const { rows, total } = await authConfigsRepo(deps.db).list(filter);
  return { items: await viewsOf(deps, rows), total };
}
