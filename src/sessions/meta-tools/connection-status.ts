import type { ToolkitFile } from '../../catalogue/schema.ts';
import { isNoAuth } from '../../schemes/registry.ts';
import type { Deps } from '../../deps.ts';
import { ToolInputError } from '../../execution/execute.ts';
import { usableAccounts } from '../accounts.ts';
import type { Session } from '../session.ts';
import { sessionToolkits } from '../tool-lists.ts';

/** The toolkits a meta tool names, each one of the session's (the schema has checked the list's shape). */
export function toolkitsOf(deps: Deps, session: Session, slugs: string[]): ToolkitFile[] {
  const allowed = sessionToolkits(deps, session.config);
  return slugs.map((slug) => {
    const toolkit = allowed.find((t) => t.slug === slug.toLowerCase());
    if (!toolkit)
      throw new ToolInputError(`${slug} is not a toolkit of this session`, [
        { field: 'arguments.toolkits', message: `unknown toolkit ${slug}` },
      ]);
    return toolkit;
  });
}

export async function connectionStatus(deps: Deps, session: Session, toolkit: ToolkitFile) {
  if (isNoAuth(toolkit)) return { has_active_connection: true, account: null };
  const usable = await usableAccounts(deps, session.config, toolkit);
  return { has_active_connection: usable.length > 0, account: usable[0] ?? null };
}
