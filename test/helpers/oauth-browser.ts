import type { BrowserContext, Page } from 'playwright-core';

/**
 * The person's part of an MCP client's authorization in Chromium: opens the authorization URL in
 * `context` and lets `answer` work latchkey's consent page (and whatever follows it). The client's
 * redirect URI is caught rather than served; the URL it was sent, if any, is returned with the page.
 */
export async function authorizeInBrowser(
  context: BrowserContext,
  authorizationUrl: URL,
  redirect: string,
  answer: (page: Page) => Promise<void>,
): Promise<{ callback: URL | undefined; page: Page }> {
  const page = await context.newPage();
  let callback: URL | undefined;
  await page.route(`${redirect}**`, async (route) => {
    callback = new URL(route.request().url());
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>back in the client</h1>' });
  });
  await page.goto(authorizationUrl.href);
  await answer(page);
  return { callback, page };
}
