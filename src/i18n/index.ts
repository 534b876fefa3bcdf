/**
 * The digest's own language (`digest.lang`): every word of chrome on the pages, in the mails, on
 * the subscription pages and in the feeds comes from one catalogue per language (one file each,
 * English defines the keys), with plurals by `Intl.PluralRules` and dates and numbers by `Intl`.
 * Stories keep their own language and direction; this is only the words around them.
 *
 * A tag picks its base language's catalogue (`ar-EG` → Arabic, `pt-BR` → Portuguese when there is
 * one); a language without a catalogue falls back to English chrome.
 */
import { dirForLang, normalizeLang } from '../lang';
import { markup, type SafeHtml } from '../html';
import type { TextDirection } from '../types';
import type { Catalogue, CountKey, TextKey } from './catalogue';
import type { PluralMessage } from './plural';
import { en } from './en';
import { ar } from './ar';
import { de } from './de';
import { es } from './es';
import { fa } from './fa';
import { fr } from './fr';
import { he } from './he';
import { ja } from './ja';

export type { Catalogue, CountKey, TextKey } from './catalogue';
export type { PluralCategory, PluralMessage } from './plural';

/** Every language with a catalogue, by primary subtag. */
export const CATALOGUES: Readonly<Record<string, Catalogue>> = { en, ar, de, es, fa, fr, he, ja };

/** The languages the chrome is written in. */
export const CHROME_LANGUAGES = Object.keys(CATALOGUES);

/** Parameters of a message: text (escaped where it lands) or numbers (formatted for the language). */
export type MessageParams = Readonly<Record<string, string | number>>;

/** The chrome of one language: its messages, direction, and Intl formats. */
export interface Chrome {
  /** The tag pages and mails declare (`lang`): the configured tag when its language has a catalogue, else "en". */
  lang: string;
  dir: TextDirection;
  /** Locale of dates and numbers (plain "en" keeps the day-month order the site always had). */
  locale: string;
  text(key: TextKey, params?: MessageParams): string;
  /** The plural form for `count` (which fills `{count}`, formatted for the language). */
  count(key: CountKey, count: number, params?: MessageParams): string;
  /** A message as markup: its own words escaped, SafeHtml parameters (links, `<time>`) placed as they are. */
  html(key: TextKey, params: Readonly<Record<string, SafeHtml | string | number>>): SafeHtml;
  /** The plural forms themselves, for a script that counts in the browser (the search page). */
  forms(key: CountKey): PluralMessage;
  number(value: number): string;
}

const PLACEHOLDER = /\{(\w+)\}/g;

const chromes = new Map<string, Chrome>();

/** The chrome for `digest.lang` (cached: pages ask once per render). */
export function chromeFor(tag: string | undefined): Chrome {
  const key = tag ?? 'en';
  let chrome = chromes.get(key);
  if (!chrome) {
    chrome = buildChrome(key);
    chromes.set(key, chrome);
  }
  return chrome;
}

function buildChrome(tag: string): Chrome {
  const normalized = normalizeLang(tag);
  const base = normalized.split('-')[0]?.toLowerCase() ?? '';
  const catalogue = CATALOGUES[base];
  const lang = catalogue ? normalized : 'en';
  const messages = catalogue ?? en;
  const locale = lang === 'en' ? 'en-GB' : lang;
  const numbers = new Intl.NumberFormat(locale);
  const plurals = new Intl.PluralRules(locale);
  const fill = (message: string, params: MessageParams = {}): string =>
    message.replace(PLACEHOLDER, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? numbers.format(value) : value;
    });
  return {
    lang,
    dir: dirForLang(lang),
    locale,
    text: (key, params) => fill(messages[key], params),
    count: (key, count, params) => {
      const forms = messages[key];
      const form = forms[plurals.select(count)] ?? forms.other;
      return fill(form, { ...params, count });
    },
    html: (key, params) => {
      const parts = messages[key].split(/(\{\w+\})/);
      const pieces = parts.map((part, i) => {
        if (i % 2 === 0) return part;
        const value = params[part.slice(1, -1)];
        if (value === undefined) return part;
        return typeof value === 'number' ? numbers.format(value) : value;
      });
      return markup`${pieces}`;
    },
    forms: (key) => messages[key],
    number: (value) => numbers.format(value),
  };
}

/** The placeholders a message uses (every plural form together), for the catalogue test. */
export function placeholdersOf(message: string | Readonly<Record<string, string | undefined>>): Set<string> {
  const texts = typeof message === 'string' ? [message] : Object.values(message).filter((m): m is string => !!m);
  return new Set(texts.flatMap((t) => [...t.matchAll(PLACEHOLDER)].map((m) => m[1]!)));
}
