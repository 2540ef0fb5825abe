import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_TOOLKITS_DIR } from '../../src/bootstrap.ts';
import { lintToolkit } from '../../src/catalogue/lint.ts';
import { loadCatalogue } from '../../src/catalogue/load.ts';
import { rfc5322Message } from '../../src/execution/composers/rfc5322-message.ts';
import { fetchExchange } from '../../src/execution/exchange.ts';
import { executeTool, prepareArguments, ToolInputError } from '../../src/execution/execute.ts';
import { catalogueConnection } from '../helpers/catalogue-connection.ts';
import { redirectingFetch, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';

/** Tools of the built-in catalogue corrected against the providers' docs and Composio's tools (issue 20). */
const catalogue = loadCatalogue([BUILT_IN_TOOLKITS_DIR]);
const entry = (slug: string) => catalogue.tool(slug)!;
let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());

/** Runs a built-in tool against the stand-in, as the first scheme of its toolkit; the request the provider got. */
async function run(slug: string, args: unknown) {
  const { toolkit } = entry(slug);
  const result = await executeTool(entry(slug), args, catalogueConnection(toolkit, toolkit.auth_schemes[0]!), {
    exchange: fetchExchange(redirectingFetch(upstream)),
    timeoutMs: 5000,
    maxResponseBytes: 1 << 20,
    allowHttpLoopback: false,
  });
  return { result, sent: upstream.requests.at(-1)! };
}

function refusal(slug: string, args: unknown): string | undefined {
  try {
    prepareArguments(entry(slug), args);
    return undefined;
  } catch (error) {
    if (error instanceof ToolInputError) return error.message;
    throw error;
  }
}

describe('AIRTABLE_GET_RECORD', () => {
  const record = { baseId: 'appXyZ123abcDEF45', tableIdOrName: 'Tasks', recordId: 'recAbC123defGHI67' };

  it('says Airtable omits empty fields', () => {
    expect(entry('AIRTABLE_GET_RECORD').tool.description).toMatch(/omits empty fields/);
    expect(entry('AIRTABLE_GET_RECORD').tool.description).not.toMatch(/including empty/);
  });

  it("takes timeZone and userLocale, both required with cellFormat 'string'", () => {
    for (const slug of ['AIRTABLE_GET_RECORD', 'AIRTABLE_LIST_RECORDS']) {
      const args = slug === 'AIRTABLE_GET_RECORD' ? record : { baseId: record.baseId, tableIdOrName: record.tableIdOrName };
      expect(refusal(slug, { ...args, cellFormat: 'string' }), slug).toMatch(/timeZone/);
      expect(refusal(slug, { ...args, cellFormat: 'string', timeZone: 'Europe/Paris' }), slug).toMatch(/userLocale/);
      expect(refusal(slug, { ...args, cellFormat: 'string', timeZone: 'Europe/Paris', userLocale: 'en-gb' }), slug).toBeUndefined();
      expect(refusal(slug, { ...args, cellFormat: 'json' }), slug).toBeUndefined();
    }
  });
});

/** A sent message's header block (unfolded) and its decoded body, read as a mail client would. */
function readMessage(raw: string) {
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  const [head, body] = text.split('\r\n\r\n');
  const unfolded = head!.replace(/\r\n[ \t]+/g, ' ');
  const headers = unfolded.split('\r\n').map((line) => {
    const at = line.indexOf(': ');
    return [line.slice(0, at), line.slice(at + 2)] as [string, string];
  });
  // RFC 2047 6.2: white space between adjacent encoded-words is not displayed
  const decode = (value: string) =>
    value
      .replace(/\?=\s+=\?/g, '?==?')
      .replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/g, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
  return {
    lines: head!.split('\r\n'),
    names: headers.map(([name]) => name),
    header: (name: string) => decode(headers.find(([n]) => n === name)?.[1] ?? ''),
    body: Buffer.from(body!.replace(/\r\n/g, ''), 'base64').toString('utf8'),
  };
}

describe('GMAIL_SEND_EMAIL', () => {
  it("takes Composio's arguments and sends the RFC 5322 message Gmail wants, base64url in raw", async () => {
    const { result, sent } = await run('GMAIL_SEND_EMAIL', {
      recipient_email: 'priya@acme.io',
      extra_recipients: ['li@acme.io'],
      cc: ['manager@acme.io'],
      bcc: ['archive@acme.io'],
      subject: 'Q3 numbers',
      body: 'Hi Priya,\nthe numbers are attached.\n',
    });
    expect(result.successful).toBe(true);
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/gmail/v1/users/me/messages/send');
    expect(sent.headers['x-original-host']).toBe('gmail.googleapis.com');
    const payload = JSON.parse(sent.body);
    expect(Object.keys(payload)).toEqual(['raw']);
    expect(payload.raw).toMatch(/^[A-Za-z0-9_-]+$/);
    const message = readMessage(payload.raw);
    expect(message.header('To')).toBe('priya@acme.io, li@acme.io');
    expect(message.header('Cc')).toBe('manager@acme.io');
    expect(message.header('Bcc')).toBe('archive@acme.io');
    expect(message.header('Subject')).toBe('Q3 numbers');
    expect(message.header('MIME-Version')).toBe('1.0');
    expect(message.header('Content-Type')).toBe('text/plain; charset=UTF-8');
    expect(message.body).toBe('Hi Priya,\nthe numbers are attached.\n');
  });

  it('writes non-ASCII subjects as RFC 2047 encoded-words of at most 75 characters, HTML when is_html', async () => {
    const subject = 'Résumé für Zoë — 会议纪要 '.repeat(4).trim();
    const { sent } = await run('GMAIL_SEND_EMAIL', {
      recipient_email: 'zoe@example.com',
      subject,
      body: '<p>Grüße</p>',
      is_html: true,
      user_id: 'team@example.com',
    });
    expect(sent.url).toBe('/gmail/v1/users/team%40example.com/messages/send');
    const message = readMessage(JSON.parse(sent.body).raw);
    expect(message.header('Subject')).toBe(subject);
    const subjectLines = message.lines.slice(message.lines.findIndex((l) => l.startsWith('Subject: ')));
    for (const word of subjectLines.join(' ').match(/=\?[^?]+\?B\?[^?]*\?=/g)!) expect(word.length).toBeLessThanOrEqual(75);
    expect(message.lines.every((l) => /^[\x20-\x7e]*$/.test(l))).toBe(true);
    expect(message.header('Content-Type')).toBe('text/html; charset=UTF-8');
    expect(message.body).toBe('<p>Grüße</p>');
  });

  it('lets no argument add a header: CR/LF in the subject or body stays inside them, in an address is a 400', async () => {
    const { sent } = await run('GMAIL_SEND_EMAIL', {
      recipient_email: 'priya@acme.io',
      subject: 'Hello\r\nBcc: thief@evil.example',
      body: 'text\r\n\r\nBcc: thief@evil.example\r\n',
    });
    const message = readMessage(JSON.parse(sent.body).raw);
    expect(message.names).toEqual(['To', 'Subject', 'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding']);
    expect(message.lines.some((l) => /thief/.test(l))).toBe(false);
    expect(message.header('Subject')).toBe('Hello\r\nBcc: thief@evil.example');
    expect(message.body).toBe('text\r\n\r\nBcc: thief@evil.example\r\n');

    const before = upstream.requests.length;
    for (const args of [
      { recipient_email: 'priya@acme.io\r\nBcc: thief@evil.example', body: 'x' },
      { recipient_email: 'priya@acme.io', extra_recipients: ['li@acme.io\nBcc: thief@evil.example'], body: 'x' },
      { recipient_email: 'priya@acme.io', cc: ['manager@acme.io\r'], body: 'x' },
      { recipient_email: 'priya@acme.io', bcc: ['Thief <thief@evil.example>'], body: 'x' },
    ]) {
      await expect(run('GMAIL_SEND_EMAIL', args), JSON.stringify(args)).rejects.toBeInstanceOf(ToolInputError);
    }
    expect(upstream.requests.length).toBe(before);
    // the composer refuses such an address itself, whatever the input schema let through
    expect(() => rfc5322Message({ recipient_email: 'a@b.example\r\nBcc: thief@evil.example', body: 'x' })).toThrow(/recipient_email/);
    expect(() => rfc5322Message({ body: 'x' })).toThrow(/at least one recipient/);
  });
});

describe('HACKERNEWS_GET_FRONTPAGE', () => {
  it("asks Hacker News' search API for the front page's stories, with their details", async () => {
    upstream.on('/api/v1/search', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ hits: [{ objectID: '1', title: 'Show HN: a thing', points: 120, num_comments: 40 }], page: 0, nbPages: 2 }));
    });
    const { result, sent } = await run('HACKERNEWS_GET_FRONTPAGE', { hitsPerPage: 30 });
    expect(sent.method).toBe('GET');
    expect(sent.headers['x-original-host']).toBe('hn.algolia.com');
    const url = new URL(sent.url, 'http://x');
    expect(url.pathname).toBe('/api/v1/search');
    expect(Object.fromEntries(url.searchParams)).toEqual({ tags: 'front_page', hitsPerPage: '30' });
    expect(result).toMatchObject({ successful: true, data: { hits: [{ title: 'Show HN: a thing', points: 120 }] } });
    // the other tools keep the toolkit's own API
    expect((await run('HACKERNEWS_GET_TOP_STORIES', {})).sent.headers['x-original-host']).toBe('hacker-news.firebaseio.com');
  });

  it("a tool's own base_url is held to the toolkit URL rules: no placeholder may choose its host", () => {
    const toolkit = structuredClone(entry('HACKERNEWS_GET_FRONTPAGE').toolkit);
    toolkit.tools.find((t) => t.slug === 'HACKERNEWS_GET_FRONTPAGE')!.request.base_url = 'https://{{host}}/api/v1';
    const at = toolkit.tools.findIndex((t) => t.slug === 'HACKERNEWS_GET_FRONTPAGE');
    expect(lintToolkit(toolkit).map((p) => p.path)).toContain(`tools[${at}].request.base_url`);
  });
});
