import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { Config } from '../config.ts';
import { CONSOLE_PATH, type ConsoleEnv } from './env.ts';
import { STYLE_TEXT } from './style.ts';

const NAV = [
  ['', 'Overview'],
  ['/users', 'Users'],
  ['/accounts', 'Connected accounts'],
  ['/auth-configs', 'Auth configs'],
  ['/toolkits', 'Toolkits'],
  ['/webhooks', 'Webhooks'],
  ['/log', 'Log'],
] as const;

export interface LayoutProps {
  branding: Config['branding'];
  title: string;
  /** set when signed in: the nav and the sign-out form are shown */
  csrfToken?: string;
  children?: Child;
}

/** Every console page: hono/jsx escapes each interpolated value, so no name or reason can inject markup. */
export function Layout({ branding, title, csrfToken, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${branding.appTitle} console`}</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE_TEXT }} />
      </head>
      <body>
        <header>
          {branding.logoUrl ? <img src={branding.logoUrl} alt="" height="24" /> : null}
          <span class="title">{branding.appTitle} console</span>
          {csrfToken ? (
            <>
              <nav aria-label="Console">
                {NAV.map(([path, label]) => (
                  <a href={`${CONSOLE_PATH}${path}`}>{label}</a>
                ))}
              </nav>
              <form method="post" action={`${CONSOLE_PATH}/logout`}>
                <CsrfField token={csrfToken} />
                <button type="submit">Sign out</button>
              </form>
            </>
          ) : null}
        </header>
        <main>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

export const CsrfField = ({ token }: { token: string }) => <input type="hidden" name="csrf_token" value={token} />;

/** A page as an HTML document. */
export const documentOf = (page: ReturnType<typeof Layout>) => `<!doctype html>${page}`;

/** A signed-in page: the layout around `body`, answered with `status`. */
export const renderPage = (c: Context<ConsoleEnv>, branding: Config['branding'], title: string, body: Child, status = 200) =>
  c.html(
    documentOf(
      <Layout branding={branding} title={title} csrfToken={c.get('csrfToken')}>
        {body}
      </Layout>,
    ),
    status as 200,
  );
