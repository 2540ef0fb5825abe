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

  /** Follows redirects while they stay on loopback; returns the last response and every URL visited. */
  async follow(url: string, init: RequestInit = {}): Promise<{ response: Response; visited: string[]; leftTo?: string }> {
    const visited = [url];
    let response = await this.request(url, init);
    for (let hops = 0; hops < 20 && response.status >= 300 && response.status < 400; hops++) {
      const next = new URL(response.headers.get('location')!, visited.at(-1)).href;
      if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(next)) return { response, visited, leftTo: next };
      await response.body?.cancel();
      visited.push(next);
      response = await this.request(next);
    }
    return { response, visited };
  }
}
