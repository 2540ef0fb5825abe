import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import { listAccounts } from '../../services/account-listing.ts';
import { findUserIds, userSessions } from '../../services/operations.ts';
import { AccountsTable, PAGE_SIZE, Pager, pageOf, Table, userHref, when } from '../components.tsx';
import { CONSOLE_PATH, type ConsoleEnv } from '../env.ts';
import { renderPage } from '../layout.tsx';

export function userRoutes(deps: Deps) {
  const branding = deps.config.branding;
  return new Hono<ConsoleEnv>()
    .get('/users', async (c) => {
      const q = (c.req.query('q') ?? '').slice(0, 256);
      const found = q ? await findUserIds(deps, q) : [];
      return renderPage(
        c,
        branding,
        'Users',
        <>
          <form method="get" action={`${CONSOLE_PATH}/users`} class="filters" role="search">
            <div>
              <label for="q">User id starts with</label>
              <input id="q" name="q" value={q} />
            </div>
            <button type="submit">Find</button>
          </form>
          {q ? (
            found.length > 0 ? (
              <ul>
                {found.map((userId) => (
                  <li>
                    <a href={userHref(userId)}>{userId}</a>
                  </li>
                ))}
              </ul>
            ) : (
              <p>No user with a connected account starts with that.</p>
            )
          ) : null}
        </>,
      );
    })
    .get('/users/:userId', async (c) => {
      const userId = c.req.param('userId');
      const page = pageOf(c.req.query('page'));
      const [accounts, sessions] = await Promise.all([
        listAccounts(deps, {
          userIds: [userId],
          orderBy: 'createdAt',
          direction: 'desc',
          offset: (page - 1) * PAGE_SIZE,
          limit: PAGE_SIZE,
        }),
        userSessions(deps, userId),
      ]);
      return renderPage(
        c,
        branding,
        `User ${userId}`,
        <>
          <h2>Connected accounts</h2>
          <AccountsTable accounts={accounts.items} csrfToken={c.get('csrfToken')} showUser={false} />
          <Pager url={c.req.url} page={page} total={accounts.total} />
          <h2>Sessions</h2>
          {sessions.length === 0 ? (
            <p>No sessions.</p>
          ) : (
            <Table columns={['Session', 'Created', 'Updated']}>
              {sessions.map((s) => (
                <tr>
                  <td>{s.id}</td>
                  <td>{when(s.createdAt)}</td>
                  <td>{when(s.updatedAt)}</td>
                </tr>
              ))}
            </Table>
          )}
        </>,
      );
    });
}
