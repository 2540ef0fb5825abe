import type { Context } from 'hono';
import type { Config } from '../config.ts';
import { pageView, sendPage } from './pages.ts';
import { problemPage } from './status-page.ts';

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
    const v = pageView(c, branding);
    return sendPage(c, 400, problemPage(v, v.t.formUnreadableTitle, v.t.formUnreadable));
  }
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
