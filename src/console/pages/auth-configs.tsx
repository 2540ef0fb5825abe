import { type Context, Hono } from 'hono';
import type { ToolkitFile } from '../../catalogue/schema.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { listAuthConfigs, viewAuthConfig, type AuthConfigView } from '../../services/auth-config-view.ts';
import { createAuthConfig, setAuthConfigStatus, toolkitOf, updateAuthConfig } from '../../services/auth-configs.ts';
import { schemeModule } from '../../schemes/registry.ts';
import { ActionButton, Choice, ErrorNote, PAGE_SIZE, Pager, pageOf, StatusBadge, when, Table } from '../components.tsx';
import { actorOf, CONSOLE_PATH, type ConsoleEnv } from '../env.ts';
import { CsrfField, renderPage } from '../layout.tsx';

const BASE = `${CONSOLE_PATH}/auth-configs`;
const href = (id: string) => `${BASE}/${encodeURIComponent(id)}`;

type Form = Record<string, string>;

async function formOf(c: Context<ConsoleEnv>): Promise<Form> {
  const body = await c.req.parseBody();
  return Object.fromEntries(Object.entries(body).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v.trim()]] : [])));
}

/**
 * The credentials a form gives: only fields that were filled in. A secret field left empty is absent,
 * so the stored secret stays (the service merges what is given into what is stored).
 */
function credentialsOf(form: Form): Record<string, string> {
  return Object.fromEntries(['client_id', 'client_secret', 'scopes'].filter((k) => form[k]).map((k) => [k, form[k]!]));
}

const newTitle = (toolkit: ToolkitFile) => `New ${toolkit.name} auth config`;

const usesAppClient = (toolkit: ToolkitFile) => toolkit.auth_schemes.some((s) => schemeModule(s.mode).usesAppClient);

/** The app's OAuth client fields; the secret is never filled in, only its mask shown beside it. */
function AppClientFields({ view }: { view?: AuthConfigView }) {
  return (
    <>
      <label for="client_id">Client ID</label>
      <input id="client_id" name="client_id" value={view?.config.settings.client_id ?? ''} autocomplete="off" />
      <label for="client_secret">Client secret</label>
      <input id="client_secret" name="client_secret" type="password" autocomplete="new-password" aria-describedby="client_secret_hint" />
      <p class="hint" id="client_secret_hint">
        {view?.maskedClientSecret ? `Stored: ${view.maskedClientSecret}. Leave empty to keep it.` : 'Your OAuth app’s secret.'}
      </p>
      <label for="scopes">Scopes (space or comma separated)</label>
      <input id="scopes" name="scopes" value={view?.config.settings.scopes?.join(' ') ?? ''} />
    </>
  );
}

const CREDENTIAL_TYPES = [
  ['use_custom_auth', 'Your own app (custom)'],
  ['use_composio_managed_auth', 'This server’s app (managed, LATCHKEY_OAUTH_* settings)'],
] as const;

function NewConfigForm({ toolkit, csrfToken, error }: { toolkit: ToolkitFile; csrfToken: string; error?: string }) {
  return (
    <>
      <ErrorNote message={error} />
      <form method="post" action={BASE}>
        <CsrfField token={csrfToken} />
        <input type="hidden" name="toolkit" value={toolkit.slug} />
        <label for="name">Name</label>
        <input id="name" name="name" maxlength={200} />
        <Choice name="auth_scheme" label="Auth scheme" options={toolkit.auth_schemes.map((s) => [s.mode, s.mode] as const)} />
        <Choice name="type" label="Credentials" options={CREDENTIAL_TYPES} />
        {usesAppClient(toolkit) ? <AppClientFields /> : <p class="hint">Users enter their own credentials on the Connect page.</p>}
        <p>
          <button type="submit">Create</button>
        </p>
      </form>
    </>
  );
}

export function authConfigRoutes(deps: Deps) {
  const branding = deps.config.branding;
  return new Hono<ConsoleEnv>()
    .get('/auth-configs', async (c) => {
      const page = pageOf(c.req.query('page'));
      const { items, total } = await listAuthConfigs(deps, { showDisabled: true, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
      return renderPage(
        c,
        branding,
        'Auth configs',
        <>
          <form method="get" action={`${BASE}/new`} class="filters">
            <Choice name="toolkit" label="Toolkit" options={deps.catalogue.toolkits.map((t) => [t.slug, t.name] as const)} />
            <button type="submit">New auth config</button>
          </form>
          <Table columns={['Name', 'Toolkit', 'Scheme', 'Status', 'Accounts', 'Created']}>
            {items.map(({ config, connections }) => (
              <tr>
                <td>
                  <a href={href(config.id)}>{config.name}</a>
                  <div class="hint">{config.id}</div>
                </td>
                <td>{config.toolkitSlug}</td>
                <td>
                  {config.authScheme} {config.isComposioManaged ? '(managed)' : '(custom)'}
                </td>
                <td>
                  <StatusBadge status={config.status} />
                </td>
                <td>
                  <a href={`${CONSOLE_PATH}/accounts?auth_config=${encodeURIComponent(config.id)}`}>{connections}</a>
                </td>
                <td>{when(config.createdAt)}</td>
              </tr>
            ))}
          </Table>
          <Pager url={c.req.url} page={page} total={total} />
        </>,
      );
    })
    .get('/auth-configs/new', (c) => {
      const toolkit = toolkitOf(deps, c.req.query('toolkit') ?? '');
      return renderPage(c, branding, newTitle(toolkit), <NewConfigForm toolkit={toolkit} csrfToken={c.get('csrfToken')} />);
    })
    .post('/auth-configs', async (c) => {
      const form = await formOf(c);
      const toolkit = toolkitOf(deps, form.toolkit ?? '');
      try {
        const config = await createAuthConfig(
          deps,
          {
            toolkitSlug: toolkit.slug,
            type: form.type === 'use_composio_managed_auth' ? 'use_composio_managed_auth' : 'use_custom_auth',
            authScheme: form.auth_scheme || undefined,
            name: form.name || undefined,
            credentials: credentialsOf(form),
          },
          actorOf(c),
        );
        return c.redirect(href(config.id), 303);
      } catch (error) {
        // the form again with what was wrong; nothing typed into the secret field comes back
        if (!(error instanceof AppError) || error.status !== 400) throw error;
        const body = <NewConfigForm toolkit={toolkit} csrfToken={c.get('csrfToken')} error={error.message} />;
        return renderPage(c, branding, newTitle(toolkit), body, 400);
      }
    })
    .get('/auth-configs/:id', async (c) => {
      const view = await viewAuthConfig(deps, c.req.param('id'));
      const { config } = view;
      const csrfToken = c.get('csrfToken');
      return renderPage(
        c,
        branding,
        `Auth config ${config.name}`,
        <>
          <p>
            {config.id} · {config.toolkitSlug} · {config.authScheme} {config.isComposioManaged ? '(managed)' : '(custom)'} ·{' '}
            <StatusBadge status={config.status} /> ·{' '}
            <a href={`${CONSOLE_PATH}/accounts?auth_config=${encodeURIComponent(config.id)}`}>{view.connections} accounts</a>
          </p>
          <ActionButton
            action={`${href(config.id)}/${config.status === 'ENABLED' ? 'disable' : 'enable'}`}
            label={config.status === 'ENABLED' ? 'Disable' : 'Enable'}
            csrfToken={csrfToken}
          />
          <h2>Edit</h2>
          <form method="post" action={href(config.id)}>
            <CsrfField token={csrfToken} />
            <label for="name">Name</label>
            <input id="name" name="name" value={config.name} maxlength={200} />
            {!config.isComposioManaged && schemeModule(config.authScheme).usesAppClient ? <AppClientFields view={view} /> : null}
            <p>
              <button type="submit">Save</button>
            </p>
          </form>
        </>,
      );
    })
    .post('/auth-configs/:id', async (c) => {
      const form = await formOf(c);
      const id = c.req.param('id');
      await updateAuthConfig(deps, id, { name: form.name || undefined, credentials: credentialsOf(form) }, actorOf(c));
      return c.redirect(href(id), 303);
    })
    .post('/auth-configs/:id/:status{enable|disable}', async (c) => {
      const id = c.req.param('id');
      await setAuthConfigStatus(deps, id, c.req.param('status') === 'enable' ? 'ENABLED' : 'DISABLED', actorOf(c));
      return c.redirect(href(id), 303);
    });
}
