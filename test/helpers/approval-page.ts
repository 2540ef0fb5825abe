import type { Browser } from 'playwright-core';

/**
 * A person on latchkey's approval page, in Chromium: reads what is asked, clicks Approve or Refuse,
 * and reads the answer page's heading. Returns both, for the test to check.
 */
export async function answerOnPage(
  browser: Browser,
  url: string,
  button: 'Approve' | 'Refuse',
): Promise<{ shown: string; answer: string }> {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    const shown = await page.locator('main').innerText();
    await page.getByRole('button', { name: button }).click();
    await page.waitForLoadState();
    return { shown, answer: await page.locator('h1').innerText() };
  } finally {
    await page.close();
  }
}
