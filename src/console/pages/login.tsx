import { type Context, Hono } from 'hono';
import { signIn, signOut } from '../../auth/console-sessions.ts';
import { csrfTokenMatches, issueCsrfToken } from '../../connect/csrf-token.ts';
import type { Deps } from '../../deps.ts';
import { ErrorNote } from '../components.tsx';
import { CONSOLE_PATH, type ConsoleEnv } from '../env.ts';
import { CsrfField, documentOf, Layout } from '../layout.tsx';
import { checkForm, clearSessionCookie, requireSignIn, safeNext, sessionCookie, setSessionCookie } from '../session.ts';

/**
 * A failed sign-in is answered this late: scripted guessing is slowed, and an operator is never locked
 * out (a lockout would hand anyone who can reach the page a way to shut the console). API keys carry 190
 * random bits, so guessing is hopeless anyway; the delay keeps a flood of attempts cheap for us to refuse.
 */
const FAILED_SIGN_IN_DELAY_MS = 1000;

const LOGIN_PATH = `${CONSOLE_PATH}/login`;

function LoginPage({ deps, csrfToken, next, error }: { deps: Deps; csrfToken: string; next: string; error?: string }) {
  return (
    <Layout branding={deps.config.branding} title="Sign in">
      <div class="login">
        <ErrorNote message={error} />
        <form method="post" action={LOGIN_PATH}>
          <CsrfField token={csrfToken} />
          <input type="hidden" name="next" value={next} />
          <label for="api_key">Project API key</label>
          <input id="api_key" name="api_key" type="password" autocomplete="current-password" required />
          <p class="hint">The key is checked once; the console keeps only a sign-in of its own.</p>
          <button type="submit">Sign in</button>
        </form>
      </div>
    </Layout>
  );
}

export function loginRoutes(deps: Deps) {
  const secure = deps.config.publicUrl.startsWith('https:');
  const show = (c: Context<ConsoleEnv>, next: string, status: 200 | 401, error?: string) =>
    c.html(documentOf(<LoginPage deps={deps} csrfToken={issueCsrfToken(c, LOGIN_PATH, secure)} next={next} error={error} />), status);
  return new Hono<ConsoleEnv>()
    .get('/login', (c) => show(c, safeNext(c.req.query('next')), 200))
    .post(
      '/login',
      checkForm(deps, (c, given) => csrfTokenMatches(c, given)),
      async (c) => {
        const form = await c.req.parseBody();
        const next = safeNext(typeof form.next === 'string' ? form.next : undefined);
        const id = typeof form.api_key === 'string' ? await signIn(deps, form.api_key) : undefined;
        if (!id) {
          await new Promise((resolve) => setTimeout(resolve, FAILED_SIGN_IN_DELAY_MS));
          return show(c, next, 401, 'That API key is not valid or was revoked.');
        }
        setSessionCookie(c, deps, id);
        return c.redirect(next, 303);
      },
    )
    .post('/logout', requireSignIn(deps), checkForm(deps), async (c) => {
      await signOut(deps, sessionCookie(c));
      clearSessionCookie(c);
      return c.redirect(LOGIN_PATH, 303);
    });
}
