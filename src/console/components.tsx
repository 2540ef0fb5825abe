import type { Child } from 'hono/jsx';
import type { AccountView } from '../services/account-view.ts';
import { CONSOLE_PATH } from './env.ts';
import { CsrfField } from './layout.tsx';

export const PAGE_SIZE = 25;

/** ISO time, or a dash: the operator's own timezone is not ours to guess. */
export const when = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '—');

export const StatusBadge = ({ status }: { status: string }) => <span class={`status status-${status}`}>{status}</span>;

export const userHref = (userId: string) => `${CONSOLE_PATH}/users/${encodeURIComponent(userId)}`;

/** The page number of a list from `?page=`, 1 and up. */
export function pageOf(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 && n < 1_000_000 ? n : 1;
}

/** Previous and next links that keep the current filters. */
export function Pager({ url, page, total, size = PAGE_SIZE }: { url: string; page: number; total: number; size?: number }) {
  const at = (n: number) => {
    const target = new URL(url);
    target.searchParams.set('page', String(n));
    return `${target.pathname}${target.search}`;
  };
  const pages = Math.max(1, Math.ceil(total / size));
  return (
    <nav class="pager" aria-label="Pages">
      {page > 1 ? <a href={at(page - 1)}>Previous</a> : null}
      <span>
        Page {page} of {pages} ({total} in all)
      </span>
      {page < pages ? <a href={at(page + 1)}>Next</a> : null}
    </nav>
  );
}

/** A POST button with the sign-in's token. */
export function ActionButton({ action, label, csrfToken, danger }: { action: string; label: string; csrfToken: string; danger?: boolean }) {
  return (
    <form method="post" action={action} class="inline">
      <CsrfField token={csrfToken} />
      <button type="submit" class={danger ? 'danger' : undefined}>
        {label}
      </button>
    </form>
  );
}

/** Connected accounts with their state and, when `csrfToken` is given, the actions on each. */
export function AccountsTable({
  accounts,
  csrfToken,
  showUser = true,
}: {
  accounts: AccountView[];
  csrfToken?: string;
  showUser?: boolean;
}) {
  if (accounts.length === 0) return <p>No connected accounts.</p>;
  return (
    <Table
      columns={['Account', ...(showUser ? ['User'] : []), 'Toolkit', 'Status', 'Auth config', 'Updated', ...(csrfToken ? ['Actions'] : [])]}
    >
      {accounts.map((a) => (
        <tr data-account={a.id}>
          <td>
            {a.id}
            {a.alias ? <div class="hint">{a.alias}</div> : null}
          </td>
          {showUser ? (
            <td>
              <a href={userHref(a.userId)}>{a.userId}</a>
            </td>
          ) : null}
          <td>
            <a href={`${CONSOLE_PATH}/toolkits/${encodeURIComponent(a.toolkitSlug)}`}>{a.toolkitSlug}</a>
          </td>
          <td>
            <StatusBadge status={a.status} />
            {a.disabled ? <span class="status"> DISABLED</span> : null}
            {a.statusReason ? <div class="hint">{a.statusReason}</div> : null}
          </td>
          <td>
            <a href={`${CONSOLE_PATH}/auth-configs/${encodeURIComponent(a.authConfigId)}`}>{a.authConfigId}</a>
          </td>
          <td>{when(a.updatedAt)}</td>
          {csrfToken ? (
            <td>
              <ActionButton
                action={`${CONSOLE_PATH}/accounts/${encodeURIComponent(a.id)}/${a.disabled ? 'enable' : 'disable'}`}
                label={a.disabled ? 'Enable' : 'Disable'}
                csrfToken={csrfToken}
              />{' '}
              <ActionButton
                action={`${CONSOLE_PATH}/accounts/${encodeURIComponent(a.id)}/reconnect`}
                label="Reconnect link"
                csrfToken={csrfToken}
              />{' '}
              <a href={`${CONSOLE_PATH}/accounts/${encodeURIComponent(a.id)}/delete`}>Delete…</a>
            </td>
          ) : null}
        </tr>
      ))}
    </Table>
  );
}

/** A table with a header row of column names. */
export function Table({ columns, children }: { columns: string[]; children?: Child }) {
  return (
    <table>
      <thead>
        <tr>
          {columns.map((name) => (
            <th scope="col">{name}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** What went wrong, announced to screen readers. */
export const ErrorNote = ({ message }: { message?: string }) =>
  message ? (
    <p class="error" role="alert">
      {message}
    </p>
  ) : null;

/** A labelled select; `any` adds an empty first choice (no filter). */
export function Choice({
  name,
  label,
  options,
  selected,
  any,
}: {
  name: string;
  label: string;
  options: ReadonlyArray<readonly [value: string, text: string]>;
  selected?: string;
  any?: boolean;
}) {
  return (
    <div>
      <label for={name}>{label}</label>
      <select id={name} name={name}>
        {any ? <option value="">Any</option> : null}
        {options.map(([value, text]) => (
          <option value={value} selected={value === selected}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
