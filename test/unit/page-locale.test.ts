import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { localeOfTag, negotiateLocale } from '../../src/connect/messages/index.ts';

const app = new Hono().get('/', (c) => c.text(negotiateLocale(c)));
const localeFor = async (acceptLanguage?: string) =>
  (await app.request('/', { headers: acceptLanguage === undefined ? {} : { 'accept-language': acceptLanguage } })).text();

describe('the hosted pages language (Accept-Language, RFC 9110 §12.5.4)', () => {
  it('takes the first range by weight that one of our languages serves', async () => {
    expect(await localeFor('es-ES,es;q=0.9,en;q=0.8')).toBe('es');
    expect(await localeFor('zh-CN,zh;q=0.9')).toBe('zh-Hans');
    expect(await localeFor('en;q=0.2, zh-Hans;q=0.8')).toBe('zh-Hans');
    expect(await localeFor('fr-FR, fr;q=0.9, es;q=0.4')).toBe('es');
    expect(await localeFor('de, *;q=0.1')).toBe('en');
  });

  it('never serves a language the reader weighed q=0, and falls back to English', async () => {
    expect(await localeFor('es;q=0, en;q=0.5')).toBe('en');
    expect(await localeFor('')).toBe('en');
    expect(await localeFor()).toBe('en');
    expect(await localeFor('garbage;;;q=x')).toBe('en');
    // names of Object.prototype's members are tags like any other unknown one
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'constructor-es'])
      expect(await localeFor(name)).toBe('en');
  });

  it('looks a tag up by removing subtags (RFC 4647 §3.4), but gives Traditional Chinese readers no Simplified page', () => {
    expect(localeOfTag('es-419')).toBe('es');
    expect(localeOfTag('ZH-hans-SG')).toBe('zh-Hans');
    expect(localeOfTag('zh')).toBe('zh-Hans');
    expect(localeOfTag('zh-SG')).toBe('zh-Hans');
    expect(localeOfTag('zh-TW')).toBeNull();
    expect(localeOfTag('zh-Hant-HK')).toBeNull();
    expect(localeOfTag('en-GB')).toBe('en');
    expect(localeOfTag('pt-BR')).toBeNull();
  });
});
