import { Composio } from '@composio/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notesToolkit } from '../fixtures/toolkits.ts';
import { answerOnPage } from '../helpers/approval-page.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';

// What @composio/core 0.21 sends of session governance reaches latchkey and holds: the sandbox's
// proxy option, `session.update({experimental: {permissions}})`, and an approval its `session.execute`
// (which predates input-required answers) reads as an error naming the approval page.

let api: FakeUpstream;
let app: LiveApp;
let browser: Browser;
let composio: Composio;
beforeAll(async () => {
  api = await startFakeUpstream();
  app = await startLiveApp({ toolkits: [notesToolkit(api)] });
  browser = await launchChromium();
  composio = new Composio({ apiKey: app.apiKey, baseURL: app.url, allowTracking: false, disableVersionCheck: true });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await api?.close();
});

describe("@composio/core 0.21's session governance options against latchkey", () => {
  it('accepts sandbox.enableProxyExecution and experimental.permissions, and holds a call for approval until the user says yes', async () => {
    const session = await composio.create('sdk-gov', { toolkits: ['notes'], sandbox: { enable: true, enableProxyExecution: true } });
    const updated = await session.update({ experimental: { permissions: { default: 'ask_every_call' } } });
    expect(updated).toMatchObject({ experimental: { permissions: { default: 'ask_every_call' } } });
    expect(session.configVersion).toBe(2);
    const stored = await app.api(`/api/v3.1/tool_router/session/${session.sessionId}`);
    expect(stored.body.config.experimental.permissions).toEqual({ default: 'ask_every_call' });

    const held = await session.execute('NOTES_CREATE', { text: 'from the sdk' });
    expect(held.error).toMatch(/approval/);
    expect(JSON.stringify(held)).not.toMatch(/apv_/);
    // the app, under its key, finds the page to show its user
    const pending = await app.api(`/api/v3.1/tool_router/session/${session.sessionId}/approvals`);
    const approvalUrl: string = pending.body.items[0].approval_url;
    expect(approvalUrl).toMatch(new RegExp(`^${app.url}/approve/apv_`));
    expect(api.requests.some((r) => r.method === 'POST')).toBe(false);

    expect((await answerOnPage(browser, approvalUrl, 'Approve')).answer).toBe('Approved');

    const ran = await session.execute('NOTES_CREATE', { text: 'from the sdk' });
    expect(ran.error).toBeNull();
    expect(api.requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual(['{"text":"from the sdk"}']);
  });
});
