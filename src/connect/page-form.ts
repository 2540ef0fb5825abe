import type { Context } from 'hono';
import type { Config } from '../config.ts';
import { contentSecurityPolicy, messagePage } from './pages.ts';

/**
 * The fields of a hosted page's form (urlencoded or multipart; a file part is dropped, a field sent
 * twice keeps its last value), or, when the body cannot be parsed (a multipart body that does not
 * match its boundary: the platform's FormData parser throws), a 400 page: bad input from a browser
 * is a page a person can read, not a 500 and a logged stack.
 */
export async function readPageForm(c: Context, branding: Config['branding']): Promise<Record<string, string> | Response> {
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody();
  } catch {
    c.header('Cache-Control', 'no-store');
    c.header('Content-Security-Policy', contentSecurityPolicy(branding));
    return c.html(
      messagePage(branding, 'Form could not be read', 'What was sent is not a form this page accepts. Go back and try again.'),
      400,
    );
  }
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
