// `npm run screenshots`: PNGs of every hosted page (Connect link, form, success, each failure, MCP
// consent, approval, error pages) at desktop and phone width, so a person can look at them. latchkey
// runs in-process with the oidc-provider fixture as the provider, as the tests run it.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/helpers/chromium.ts';
import { ensureSystemPackages } from '../test/system-packages.ts';
import { startHostedPagesStage, tourHostedPages, type HostedPagesStage } from '../test/helpers/hosted-pages.ts';

export const SCREENSHOT_WIDTHS = [1280, 390] as const;

/**
 * Writes `<page>-<width>.png` (and `<page>-<width>-<lang>.png` for `languages`) into `outDir`; returns
 * the paths. A stage and browser passed in are used and left open (a test's); otherwise its own.
 */
export async function takeScreenshots(
  outDir: string,
  options: { languages?: string[]; stage?: HostedPagesStage; browser?: Browser } = {},
): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const stage = options.stage ?? (await startHostedPagesStage());
  const browser = options.browser ?? (await launchChromium());
  const written: string[] = [];
  try {
    for (const lang of [undefined, ...(options.languages ?? [])])
      for (const width of SCREENSHOT_WIDTHS)
        await tourHostedPages(
          stage,
          browser,
          async (name, page) => {
            const path = join(outDir, `${name}-${width}${lang ? `-${lang}` : ''}.png`);
            await page.screenshot({ path, fullPage: true });
            written.push(path);
          },
          { width, acceptLanguage: lang },
        );
  } finally {
    if (!options.browser) await browser.close();
    if (!options.stage) await stage.close();
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // what the tests' setup installs (Chromium, the CJK font), when it is not there yet
  ensureSystemPackages();
  const outDir = resolve(process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 'screenshots');
  const languages = process.argv.includes('--languages') ? ['es', 'zh-CN'] : [];
  for (const path of await takeScreenshots(outDir, { languages })) console.log(path);
}
