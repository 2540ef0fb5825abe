import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import { listAccounts, viewAccount } from '../../services/account-listing.ts';
import { listAuthConfigs } from '../../services/auth-config-view.ts';
import { deleteAccount, reconnectAccount, setAccountEnabled } from '../../services/connected-accounts.ts';
import { AccountsTable, ActionButton, Choice, PAGE_SIZE, Pager, pageOf, userHref, when } from '../components.tsx';
import { actorOf, CONSOLE_PATH, type ConsoleEnv } from '../env.ts';
import { renderPage } from '../layout.tsx';

const STATUSES = ['ACTIVE', 'INITIATED', 'FAILED', 'EXPIRED', 'INACTIVE', 'REVOKED'];

/** One filter value from the query: trimmed, bounded, absent when empty. */
const filterOf = (value: string | undefined) => (value?.trim() ? [value.trim().slice(0, 200)] : undefined);

export function accountRoutes(deps: Deps) {
  const branding = deps.config.branding;
  return new Hono<ConsoleEnv>()
    .get('/accounts', async (c) => {
      const page = pageOf(c.req.query('page'));
      const toolkit = c.req.query('toolkit') ?? '';
      const status = (c.req.query('status') ?? '').toUpperCase();
      const authConfig = c.req.query('auth_config') ?? '';
      const [accounts, configs] = await Promise.all([
        listAccounts(deps, {
          toolkitSlugs: filterOf(toolkit.toLowerCase()),
          statuses: STATUSES.includes(status) ? [status] : undefined,
          authConfigIds: filterOf(authConfig),
          orderBy: 'updatedAt',
          direction: 'desc',
          offset: (page - 1) * PAGE_SIZE,
          limit: PAGE_SIZE,
        }),
        listAuthConfigs(deps, { showDisabled: true, offset: 0, limit: 500 }),
      ]);
      return renderPage(
        c,
        branding,
        'Connected accounts',
        <>
          <form method="get" action={`${CONSOLE_PATH}/accounts`} class="filters">
            <Choice
              name="toolkit"
              label="Toolkit"
              any
              options={deps.catalogue.toolkits.map((t) => [t.slug, t.name] as const)}
              selected={toolkit.toLowerCase()}
            />
            <Choice name="status" label="Status" any options={STATUSES.map((s) => [s, s] as const)} selected={status} />
            <Choice
              name="auth_config"
              label="Auth config"
              any
              options={configs.items.map(({ config }) => [config.id, `${config.name} (${config.id})`] as const)}
              selected={authConfig}
            />
            <button type="submit">Filter</button>
          </form>
          <AccountsTable accounts={accounts.items} csrfToken={c.get('csrfToken')} />
          <Pager url={c.req.url} page={page} total={accounts.total} />
        </>,
      );
    })
    .post('/accounts/:id/:change{enable|disable}', async (c) => {
      const id = c.req.param('id');
      await setAccountEnabled(deps, id, c.req.param('change') === 'enable', actorOf(c));
      return c.redirect(userHref((await viewAccount(deps, id)).userId), 303);
    })
    .post('/accounts/:id/reconnect', async (c) => {
      const link = await reconnectAccount(deps, c.req.param('id'), undefined, actorOf(c));
      return renderPage(
        c,
        branding,
        'Reconnect link',
        <>
          <p>
            Send this Connect Link to <a href={userHref(link.account.userId)}>{link.account.userId}</a> to connect{' '}
            {link.account.toolkitSlug} again. It works once, until {when(link.expiresAt)} UTC.
          </p>
          <p class="notice">
            <code>{link.redirectUrl}</code>
          </p>
        </>,
      );
    })
    .get('/accounts/:id/delete', async (c) => {
      const account = await viewAccount(deps, c.req.param('id'));
      return renderPage(
        c,
        branding,
        'Delete a connected account',
        <>
          <p>
            Delete {account.toolkitSlug} account {account.id} of <a href={userHref(account.userId)}>{account.userId}</a>? Its credentials
            are revoked at the provider where it allows, and the account is gone for good.
          </p>
          <ActionButton
            action={`${CONSOLE_PATH}/accounts/${encodeURIComponent(account.id)}/delete`}
            label="Delete for good"
            csrfToken={c.get('csrfToken')}
            danger
          />{' '}
          <a href={userHref(account.userId)}>Cancel</a>
        </>,
      );
    })
    .post('/accounts/:id/delete', async (c) => {
      const account = await viewAccount(deps, c.req.param('id'));
      await deleteAccount(deps, account.id, actorOf(c));
      return c.redirect(userHref(account.userId), 303);
    });
}
