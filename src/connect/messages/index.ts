import type { Context } from 'hono';
import { accepts } from 'hono/accepts';
import { en, type Messages } from './en.ts';
import { es } from './es.ts';
import { zhHans } from './zh-hans.ts';

export type { Messages };
export type Locale = 'en' | 'es' | 'zh-Hans';

export const MESSAGES: Record<Locale, Messages> = { en, es, 'zh-Hans': zhHans };

/**
 * Which of our languages a language tag asks for, by RFC 4647 §3.4 lookup: the tag, then the tag with
 * its last subtag removed, and so on (`es-MX` → `es`, `zh-Hans-CN` → `zh-Hans`). Traditional Chinese
 * (`zh-Hant`, `zh-TW`, `zh-HK`, `zh-MO`) stops the lookup with no answer rather than falling to `zh`:
 * a Simplified page is not what those readers asked for.
 */
const TAGS: Record<string, Locale | null> = {
  en: 'en',
  es: 'es',
  zh: 'zh-Hans',
  'zh-hans': 'zh-Hans',
  'zh-cn': 'zh-Hans',
  'zh-sg': 'zh-Hans',
  'zh-hant': null,
  'zh-tw': null,
  'zh-hk': null,
  'zh-mo': null,
};

export function localeOfTag(tag: string): Locale | null {
  const subtags = tag.toLowerCase().split('-');
  for (let n = subtags.length; n > 0; n--) {
    // own keys only: a range of `constructor` or `__proto__` must not find Object.prototype's members
    const key = subtags.slice(0, n).join('-');
    if (Object.hasOwn(TAGS, key)) return TAGS[key] ?? null;
  }
  return null;
}

/**
 * The page language from `Accept-Language` (RFC 9110 §12.5.4): Hono's `accepts` parses the ranges
 * and their q-values; the first range by weight (q=0 means "not this") that one of our languages
 * serves wins, English otherwise.
 */
export function negotiateLocale(c: Context): Locale {
  return accepts(c, {
    header: 'Accept-Language',
    supports: Object.keys(MESSAGES),
    default: 'en',
    match: (ranges, { default: fallback }) => {
      const wanted = ranges.filter((r) => r.q > 0).sort((a, b) => b.q - a.q);
      for (const range of wanted) {
        const locale = localeOfTag(range.type);
        if (locale) return locale;
      }
      return fallback;
    },
  }) as Locale;
}
