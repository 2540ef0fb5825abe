import type { Page } from 'playwright-core';

/**
 * The person's part on latchkey's OAuth consent page, in Chromium: opens the authorization URL,
 * types the session token and allows. Returns the page's heading (it names the client) for the test
 * to check; where the browser goes next is the caller's to wait for.
 */
export async function allowOnConsentPage(page: Page, authorizationUrl: string, sessionToken: string): Promise<string> {
  await page.goto(authorizationUrl);
  const heading = (await page.textContent('h1')) ?? '';
  await page.fill('#session_token', sessionToken);
  await page.click('button[value=allow]');
  return heading;
}
