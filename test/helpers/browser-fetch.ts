/**
 * A minimal browser for redirect flows: follows redirects by hand with a cookie jar per host, and
 * stops before leaving loopback (an app's callback URL is read, never fetched).
 */
export class FetchBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  cookiesFor(host: string): Map<string, string> {
    return this.jar.get(host) ?? new Map();
  }

  private remember(url: URL, response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair!.indexOf('=');
      const jar = this.jar.get(url.host) ?? new Map<string, string>();
      jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
      this.jar.set(url.host, jar);
    }
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookies = [...this.cookiesFor(target.host)].map(([k, v]) => `${k}=${v}`).join('; ');
    if (cookies) headers.set('cookie', cookies);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.remember(target, response);
    return response;
  }

  /** A hosted form answered as a person would: a POST of `fields` with the page's CSRF token, from the page's own origin. */
  private postForm(pageUrl: string, html: string, fields: Record<string, string>): Promise<Response> {
    const token = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error(`no form with a CSRF token at ${pageUrl}`);
    return this.request(pageUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(pageUrl).origin },
      body: new URLSearchParams({ csrf_token: token, ...fields }).toString(),
    });
  }

  /** Opens a hosted form (a Connect Link's credentials form) and submits `fields`: the answer, not followed. */
  async submitForm(pageUrl: string, fields: Record<string, string>): Promise<Response> {
    return this.postForm(pageUrl, await (await this.request(pageUrl)).text(), fields);
  }

  /**
   * The Connect page's Continue button (the page says for whom before anyone goes to the provider),
   * pressed; null when the page is not such a page.
   */
  async pressContinue(pageUrl: string, html: string): Promise<Response | null> {
    if (!html.includes('name="step" value="continue"')) return null;
    return this.postForm(pageUrl, html, { step: 'continue' });
  }

  /** Opens a Connect Link and presses Continue: the answer that sends the browser to the provider (302). */
  async start(linkUrl: string): Promise<Response> {
    const page = await this.request(linkUrl);
    const html = await page.text();
    const pressed = await this.pressContinue(linkUrl, html);
    if (!pressed) throw new Error(`no Continue button at ${linkUrl} (HTTP ${page.status})`);
    return pressed;
  }

  /**
   * Follows redirects while they stay on loopback, pressing a Connect page's Continue once on the way;
   * returns the last response and every URL visited (the page and the answer to its form count once).
   */
  async follow(url: string, init: RequestInit = {}): Promise<{ response: Response; visited: string[]; leftTo?: string }> {
    const visited = [url];
    let response = await this.request(url, init);
    let continued = false;
    for (let hops = 0; hops < 20; hops++) {
      if (response.status >= 300 && response.status < 400) {
        const next = new URL(response.headers.get('location')!, visited.at(-1)).href;
        if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(next)) return { response, visited, leftTo: next };
        await response.body?.cancel();
        visited.push(next);
        response = await this.request(next);
        continue;
      }
      if (continued || response.status !== 200 || !/\/link\/[^/]+$/.test(new URL(visited.at(-1)!).pathname)) break;
      const html = await response.text();
      const pressed = await this.pressContinue(visited.at(-1)!, html);
      if (!pressed) return { response: new Response(html, { status: response.status, headers: response.headers }), visited };
      continued = true;
      response = pressed;
    }
    return { response, visited };
  }
}
