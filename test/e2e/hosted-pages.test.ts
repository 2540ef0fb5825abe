import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.ts';
import {
  authConfig,
  connectLink,
  HOSTED_PAGES,
  startHostedPagesStage,
  tourHostedPages,
  type HostedPagesStage,
} from '../helpers/hosted-pages.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { SCREENSHOT_WIDTHS, takeScreenshots } from '../../scripts/screenshots.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let stage: HostedPagesStage;
let browser: Browser;

beforeAll(async () => {
  stage = await startHostedPagesStage();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stage?.close();
});

interface Seen {
  status: number;
  lang: string | null;
  h1: string;
  text: string;
  /** axe-core's serious and critical violations: rule id and the elements it found */
  violations: string[];
  /** the page is wider than the viewport: the person would scroll sideways */
  horizontalScroll: boolean;
}

async function inspect(page: Page, status: number): Promise<Seen> {
  await page.addScriptTag({ path: AXE });
  // run in the page (a string: the tests compile without the DOM's types)
  const results = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((found) =>
    found.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) })))`)) as Array<{
    id: string;
    impact: string;
    nodes: string[];
  }>;
  return {
    status,
    lang: await page.getAttribute('html', 'lang'),
    h1: (await page.locator('h1').innerText()).trim(),
    text: await page.locator('body').innerText(),
    violations: results.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.join(', ')}`),
    horizontalScroll: (await page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth')) as boolean,
  };
}

/** Every hosted page at 320 px in one language, inspected; `extra` runs on a page after its inspection. */
async function tour(acceptLanguage?: string, extra: Record<string, (page: Page) => Promise<void>> = {}) {
  const seen = new Map<string, Seen>();
  await tourHostedPages(
    stage,
    browser,
    async (name, page, status) => {
      seen.set(name, await inspect(page, status));
      await extra[name]?.(page);
    },
    { width: 320, acceptLanguage, bypassCSP: true },
  );
  return seen;
}

describe('the hosted pages, in headless Chromium', () => {
  let english: Map<string, Seen>;
  let backInTheApp: URL | undefined;

  beforeAll(async () => {
    english = await tour(undefined, {
      // the way back on a page whose link has a callback_url: a click, and the app learns how it ended
      'link-expired': async (page) => {
        await Promise.all([
          page.waitForURL((u) => u.pathname === '/back-in-the-app'),
          page.getByRole('link', { name: 'Back to Acme Assistant' }).click(),
        ]);
        backInTheApp = new URL(page.url());
      },
    });
  }, 180_000);

  it('visits every page in the state a person meets it', () => {
    expect([...english.keys()]).toEqual([...HOSTED_PAGES]);
    const statuses = Object.fromEntries([...english].map(([name, seen]) => [name, seen.status]));
    expect(statuses).toEqual({
      'link-form': 200,
      'link-form-error': 400,
      'link-oauth': 200,
      connected: 200,
      denied: 400,
      'provider-error': 400,
      'not-configured': 502,
      'link-expired': 410,
      'link-used': 410,
      'link-unknown': 404,
      'sign-in-unknown': 400,
      consent: 200,
      'consent-problem': 400,
      approval: 200,
      approved: 200,
      'approval-unknown': 404,
    });
    expect(english.get('link-form')!.h1).toBe('Acme Assistant wants to connect your TickTick account');
    expect(english.get('link-form')!.text).toContain('maria@example.com');
    expect(english.get('link-form-error')!.text).toContain('Region is required.');
    expect(english.get('connected')!.h1).toBe('Gitea is connected');
    expect(english.get('denied')!.text).toContain('Access was not allowed at Gitea');
  });

  it('finds no serious or critical accessibility violation (axe-core) on any of them', () => {
    const violations = [...english].flatMap(([name, seen]) => seen.violations.map((v) => `${name}: ${v}`));
    expect(violations).toEqual([]);
  });

  it('fits 320 px with no sideways scrolling', () => {
    expect([...english].filter(([, seen]) => seen.horizontalScroll).map(([name]) => name)).toEqual([]);
  });

  it("keeps the operator's detail off the page and puts it in the log", () => {
    for (const seen of english.values()) {
      expect(seen.text).not.toMatch(/LATCHKEY_|invalid_client|client_secret/);
    }
    expect(english.get('not-configured')!.text).toContain('Connecting Acme CRM is not set up on this server yet.');
    const logs = stage.app.logs.join('\n');
    expect(logs).toContain('set LATCHKEY_OAUTH_ACMECRM_CLIENT_ID');
    // the provider's refusal of the code exchange: the person reads plain words, the operator the reason
    expect(english.get('provider-error')!.text).toContain('Gitea could not complete the sign-in');
    expect(logs).toMatch(/"msg":"connect link failed"/);
    expect(logs).toMatch(/OAuth callback failed during token exchange/);
  });

  it("offers a button back to the app when the link has a callback_url, and tells the app how it ended; otherwise 'close this tab'", () => {
    expect(backInTheApp?.searchParams.get('from')).toBe('acme');
    expect(backInTheApp?.searchParams.get('status')).toBe('failed');
    expect(backInTheApp?.searchParams.get('connected_account_id')).toMatch(/^ca_/);
    expect(english.get('link-unknown')!.text).toContain('You can close this tab.');
    expect(english.get('connected')!.text).toContain('You can close this tab.');
  });

  it.each([
    ['es-ES,es;q=0.9,en;q=0.5', 'es', 'Acme Assistant quiere conectar tu cuenta de TickTick', 'Gitea está conectado'],
    ['zh-CN,zh;q=0.9', 'zh-Hans', 'Acme Assistant 想要连接你的 TickTick 账号', 'Gitea 已连接'],
  ])(
    'speaks the reader’s language by Accept-Language (%s), with no violation and no sideways scroll',
    async (header, lang, linkH1, connectedH1) => {
      const seen = await tour(header);
      expect([...seen.values()].map((s) => s.lang)).toEqual(HOSTED_PAGES.map(() => lang));
      expect(seen.get('link-form')!.h1).toBe(linkH1);
      expect(seen.get('connected')!.h1).toBe(connectedH1);
      // every heading is translated (names aside): none is the English one
      for (const name of HOSTED_PAGES) expect(seen.get(name)!.h1, name).not.toBe(english.get(name)!.h1);
      expect([...seen].flatMap(([name, s]) => s.violations.map((v) => `${name}: ${v}`))).toEqual([]);
      expect([...seen].filter(([, s]) => s.horizontalScroll).map(([name]) => name)).toEqual([]);
    },
    180_000,
  );
});

describe('the hosted pages, over HTTP', () => {
  it('say which header chose the words (Vary, Content-Language) and keep their CSP', async () => {
    const res = await fetch(`${stage.app.url}/link/ln_${'y'.repeat(32)}`, { headers: { 'accept-language': 'zh-TW, es;q=0.5' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('vary')).toMatch(/accept-language/i);
    expect(res.headers.get('content-language')).toBe('es');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await res.text()).toContain('<html lang="es">');
  });

  it("shows the catalogue's logo (allowed by exactly its URL in img-src), else the simple-icons mark inlined, else an initial", async () => {
    const page = async (slug: string) => {
      const res = await fetch(await connectLink(stage, await authConfig(stage, slug), 'maria@example.com'));
      return { csp: res.headers.get('content-security-policy') ?? '', html: await res.text() };
    };
    const penpot = await page('penpot');
    expect(penpot.html).toContain('<img class="logo" src="https://cdn.example.com/logos/penpot.svg?v=2"');
    expect(penpot.csp).toContain('img-src https://cdn.example.com/logos/penpot.svg;');
    const ticktick = await page('ticktick');
    expect(ticktick.html).toMatch(/<svg class="logo"[^>]*aria-hidden="true"[^>]*><path fill="#4772FA" d="M/);
    expect(ticktick.csp).not.toContain('img-src');
    const acme = await page('acmecrm');
    expect(acme.html).toContain('<span class="logo badge" aria-hidden="true">A</span>');
  });
});

describe('npm run screenshots', () => {
  it('writes a PNG of every hosted page at 1280 and 390 px', async () => {
    const dir = makeTempDir();
    try {
      const written = await takeScreenshots(dir.path, { stage, browser });
      expect(written.map((path) => basename(path)).sort()).toEqual(
        SCREENSHOT_WIDTHS.flatMap((width) => HOSTED_PAGES.map((name) => `${name}-${width}.png`)).sort(),
      );
      for (const path of written) {
        const png = readFileSync(path);
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        // IHDR's width: the page at the width it was taken at, and more than a blank frame's few hundred bytes
        expect(SCREENSHOT_WIDTHS).toContain(png.readUInt32BE(16));
        expect(png.length, path).toBeGreaterThan(8_000);
      }
    } finally {
      dir.cleanup();
    }
  }, 240_000);
});
