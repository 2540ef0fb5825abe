import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import { type AuditEvent, type LogFilter, type LogKind, queryLog, type ToolExecution } from '../../services/log-query.ts';
import { Choice, PAGE_SIZE, Table, userHref, when } from '../components.tsx';
import { CONSOLE_PATH, type ConsoleEnv } from '../env.ts';
import { renderPage } from '../layout.tsx';

const KINDS = [
  ['tool_execution', 'Tool executions'],
  ['connection', 'Connection events'],
  ['admin', 'Administrative changes'],
] as const satisfies ReadonlyArray<readonly [LogKind, string]>;

/** One filter value from the query: trimmed, bounded, absent when empty. */
const filterOf = (value: string | undefined) => (value?.trim() ? value.trim().slice(0, 200) : undefined);

function TextFilter({ name, label, value }: { name: string; label: string; value?: string }) {
  return (
    <div>
      <label for={name}>{label}</label>
      <input id={name} name={name} type="text" value={value ?? ''} />
    </div>
  );
}

function Executions({ items }: { items: ToolExecution[] }) {
  if (items.length === 0) return <p>No tool executions match.</p>;
  return (
    <Table columns={['Time', 'User', 'Tool', 'Account', 'Outcome', 'Upstream status', 'Duration', 'Error']}>
      {items.map((e) => (
        <tr data-execution={e.id}>
          <td>{when(e.createdAt)}</td>
          <td>{e.userId ? <a href={userHref(e.userId)}>{e.userId}</a> : '—'}</td>
          <td>
            {e.toolSlug}
            <div class="hint">{e.toolkitSlug}</div>
          </td>
          <td>{e.connectedAccountId ?? '—'}</td>
          <td>
            <span class={`status status-${e.outcome}`}>{e.outcome}</span>
          </td>
          <td>{e.upstreamStatus ?? '—'}</td>
          <td>{`${e.durationMs} ms`}</td>
          <td>{e.errorMessage ?? ''}</td>
        </tr>
      ))}
    </Table>
  );
}

function Events({ items }: { items: AuditEvent[] }) {
  if (items.length === 0) return <p>No events match.</p>;
  return (
    <Table columns={['Time', 'What', 'Subject', 'User', 'By', 'Detail']}>
      {items.map((e) => (
        <tr data-event={e.id}>
          <td>{when(e.createdAt)}</td>
          <td>{e.action}</td>
          <td>
            {e.subjectId}
            <div class="hint">{[e.subjectType, e.toolkitSlug].filter(Boolean).join(' · ')}</div>
          </td>
          <td>{e.userId ? <a href={userHref(e.userId)}>{e.userId}</a> : '—'}</td>
          <td>{e.actorId ? `${e.actorType} ${e.actorId}` : e.actorType}</td>
          <td>{e.detail ? JSON.stringify(e.detail) : ''}</td>
        </tr>
      ))}
    </Table>
  );
}

/** The execution and audit log (services/log-query.ts), newest first, with the console's filters. */
export function logRoutes(deps: Deps) {
  return new Hono<ConsoleEnv>().get('/log', async (c) => {
    const kind: LogKind = KINDS.find(([k]) => k === c.req.query('kind'))?.[0] ?? 'tool_execution';
    const filter: LogFilter = {
      userId: filterOf(c.req.query('user_id')),
      toolkit: filterOf(c.req.query('toolkit')?.toLowerCase()),
      tool: filterOf(c.req.query('tool')?.toUpperCase()),
      outcome: filterOf(c.req.query('outcome')),
      accountId: filterOf(c.req.query('account')),
    };
    const page = await queryLog(deps, kind, filter, { cursor: filterOf(c.req.query('cursor')), limit: PAGE_SIZE });
    // the same filters, one page older or back at the newest
    const at = (cursor: string | null) => {
      const url = new URL(c.req.url);
      if (cursor) url.searchParams.set('cursor', cursor);
      else url.searchParams.delete('cursor');
      return `${url.pathname}${url.search}`;
    };
    return renderPage(
      c,
      deps.config.branding,
      'Log',
      <>
        <form method="get" action={`${CONSOLE_PATH}/log`} class="filters">
          <Choice name="kind" label="Entries" options={KINDS} selected={kind} />
          <TextFilter name="user_id" label="User" value={filter.userId} />
          <Choice
            name="toolkit"
            label="Toolkit"
            any
            options={deps.catalogue.toolkits.map((t) => [t.slug, t.name] as const)}
            selected={filter.toolkit}
          />
          <TextFilter name="tool" label="Tool" value={filter.tool} />
          <TextFilter name="outcome" label="Outcome or event" value={filter.outcome} />
          <TextFilter name="account" label="Connected account" value={filter.accountId} />
          <button type="submit">Filter</button>
        </form>
        {kind === 'tool_execution' ? <Executions items={page.items as ToolExecution[]} /> : <Events items={page.items as AuditEvent[]} />}
        <nav class="pager" aria-label="Pages">
          {c.req.query('cursor') ? <a href={at(null)}>Newest</a> : null}
          {page.nextCursor ? <a href={at(page.nextCursor)}>Older</a> : null}
        </nav>
      </>,
    );
  });
}
