/**
 * The catalogues: every language has every key the English one defines (a type error too, through
 * `Catalogue`), the same placeholders, and a form for every plural category its CLDR rules use;
 * `digest.lang` picks the base language's catalogue, falls back to English, and only a tag that is
 * not BCP 47 stops the config.
 */
import { parseConfig } from '../../src/config';
import { CATALOGUES, CHROME_LANGUAGES, chromeFor, placeholdersOf } from '../../src/i18n';

const english = CATALOGUES.en!;
const others = CHROME_LANGUAGES.filter((l) => l !== 'en');

describe('message catalogues', () => {
  it('cover at least the languages the issue names', () => {
    expect(CHROME_LANGUAGES).toEqual(expect.arrayContaining(['en', 'ar', 'fr', 'de', 'es', 'he', 'fa', 'ja']));
  });

  it.each(others)('%s has exactly the English keys, each of the same kind', (lang) => {
    const catalogue = CATALOGUES[lang]!;
    expect(Object.keys(catalogue).sort()).toEqual(Object.keys(english).sort());
    for (const [key, message] of Object.entries(english)) {
      expect([key, typeof catalogue[key as keyof typeof english]]).toEqual([key, typeof message]);
    }
  });

  it.each(others)('%s uses the same placeholders as English in every message', (lang) => {
    const catalogue = CATALOGUES[lang]!;
    for (const [key, message] of Object.entries(english)) {
      const theirs = catalogue[key as keyof typeof english];
      // A plural form may spell the number out ("خبران", "a minute"): {count} is checked by the forms' test.
      const want = [...placeholdersOf(message)].filter((p) => p !== 'count').sort();
      const got = [...placeholdersOf(theirs)].filter((p) => p !== 'count').sort();
      expect([key, got]).toEqual([key, want]);
      // Never a placeholder English does not have (it would stay unfilled on the page).
      for (const p of placeholdersOf(theirs)) expect([key, placeholdersOf(message).has(p)]).toEqual([key, true]);
    }
  });

  it.each(CHROME_LANGUAGES)('%s has a form for every plural category its rules pick for 0–1000', (lang) => {
    const rules = new Intl.PluralRules(lang);
    const used = new Set(Array.from({ length: 1001 }, (_, n) => rules.select(n)));
    for (const [key, message] of Object.entries(CATALOGUES[lang]!)) {
      if (typeof message === 'string') continue;
      for (const category of used) expect([key, category, typeof message[category]]).toEqual([key, category, 'string']);
    }
  });

  it('picks the right Arabic plural form for each count, with Arabic digits', () => {
    const t = chromeFor('ar');
    expect(t.count('storyCount', 1)).toBe('خبر واحد');
    expect(t.count('storyCount', 2)).toBe('خبران');
    expect(t.count('storyCount', 3)).toBe(`${t.number(3)} أخبار`);
    expect(t.count('storyCount', 11)).toBe(`${t.number(11)} خبرًا`);
    expect(t.count('storyCount', 100)).toBe(`${t.number(100)} خبر`);
    expect(t.number(11)).toBe(new Intl.NumberFormat('ar').format(11));
  });

  it('counts the week, the chat post and the choices in each language own forms', () => {
    const ar = chromeFor('ar');
    expect(ar.count('postMore', 1)).toBe('وخبر آخر على الموقع');
    expect(ar.count('postMore', 2)).toBe('وخبران آخران على الموقع');
    expect(ar.count('postMore', 5)).toBe(`و${ar.number(5)} أخبار أخرى على الموقع`);
    expect(ar.count('dailyDigestCount', 2)).toBe('نشرتين يوميتين');
    expect(chromeFor('he').count('prefStoriesPerMail', 1)).toBe('עד ידיעה אחת בכל דיוור');
    // Japanese has one form whatever the count.
    const ja = chromeFor('ja');
    expect([ja.count('weekLede', 1, { digests: 'x' }), ja.count('weekLede', 7, { digests: 'x' })]).toEqual([
      '今週の主な記事1件。xから、取り上げた情報源の多い順に並べています。',
      '今週の主な記事7件。xから、取り上げた情報源の多い順に並べています。',
    ]);
    const en = chromeFor('en');
    expect(en.count('postMore', 1)).toBe('And 1 more story on the site');
    expect(en.count('postMore', 75)).toBe('And 75 more stories on the site');
    expect(en.count('weekLede', 1, { digests: en.count('dailyDigestCount', 1) })).toBe(
      'The week’s top 1 story, ranked by how many sources covered them, from 1 daily digest.',
    );
  });

  it('fills placeholders and escapes the words of a message built as markup', () => {
    const t = chromeFor('en');
    expect(t.text('byline', { names: 'Jane Roe' })).toBe('by Jane Roe');
    expect(t.count('storyCount', 1)).toBe('1 story');
    expect(t.count('storyCount', 1200)).toBe('1,200 stories');
    expect(t.html('mailWhy', { title: '<b>Digest</b>' }).value).toBe(
      'You receive this because you subscribed to &lt;b&gt;Digest&lt;/b&gt;.',
    );
  });
});

describe('digest.lang', () => {
  it('picks the base language for region and script subtags, else English', () => {
    expect(chromeFor('ar-EG')).toMatchObject({ lang: 'ar-EG', dir: 'rtl' });
    expect(chromeFor('ar-EG').text('navArchive')).toBe(CATALOGUES.ar!.navArchive);
    expect(chromeFor('fr-CA').text('navArchive')).toBe(CATALOGUES.fr!.navArchive);
    expect(chromeFor('pt-BR')).toMatchObject({ lang: 'en', dir: 'ltr' });
    expect(chromeFor('zh-Hant').text('navArchive')).toBe('Archive');
    expect(chromeFor('he')).toMatchObject({ dir: 'rtl' });
    expect(chromeFor('fa')).toMatchObject({ dir: 'rtl' });
    expect(chromeFor('ja')).toMatchObject({ dir: 'ltr' });
  });

  it('accepts any BCP 47 tag and names the key for anything else', () => {
    expect(parseConfig({ feeds: [{ url: 'https://a.example/feed' }], digest: { lang: 'pt-BR' } }).digest.lang).toBe('pt-BR');
    expect(() => parseConfig({ feeds: [{ url: 'https://a.example/feed' }], digest: { lang: 'not a language' } })).toThrow(
      /digest\.lang/,
    );
  });
});

describe('site.images', () => {
  const feeds = [{ url: 'https://a.example/feed' }];
  it('defaults to pictures on the page and none in mail', () => {
    expect(parseConfig({ feeds }).site.images).toEqual({ page: true, mail: false });
  });
  it('takes a boolean for both, or each on its own', () => {
    expect(parseConfig({ feeds, site: { images: false } }).site.images).toEqual({ page: false, mail: false });
    expect(parseConfig({ feeds, site: { images: true } }).site.images).toEqual({ page: true, mail: true });
    expect(parseConfig({ feeds, site: { images: { mail: true } } }).site.images).toEqual({ page: true, mail: true });
    expect(() => parseConfig({ feeds, site: { images: { inbox: true } } })).toThrow(/site\.images/);
  });
});
