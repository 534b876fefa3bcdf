import vm from 'node:vm';
import { buildSearchShard, indexKeywords, normalizeForSearch, searchWords, siteAssets } from '../../src/render';
import { arabicStory, digest, story } from './digests';

describe('search normalization', () => {
  it('folds case, accents and compatibility forms', () => {
    expect(normalizeForSearch('Café ÉCOLE Ｆｕｌｌ')).toBe('cafe ecole full');
  });

  it('unifies Arabic letter variants and drops harakat and tatweel', () => {
    expect(normalizeForSearch('أحمد')).toBe(normalizeForSearch('احمد'));
    expect(normalizeForSearch('إسرائيل')).toBe('اسراييل');
    expect(normalizeForSearch('مدرسة')).toBe('مدرسه');
    expect(normalizeForSearch('مستشفى')).toBe('مستشفي');
    expect(normalizeForSearch('مُحَمَّد')).toBe('محمد');
    expect(normalizeForSearch('جميـــل')).toBe('جميل');
    expect(normalizeForSearch('٢٠٢٦ ۱۲')).toBe('2026 12');
    // Presentation forms (as some old feeds send them) fold to the base letters.
    expect(normalizeForSearch('\uFEFB')).toBe('\u0644\u0627');
  });

  it('drops Hebrew niqqud', () => {
    expect(normalizeForSearch('שָׁלוֹם')).toBe('שלום');
  });

  it('keeps the marks that are part of the letters: Indic and Thai vowel signs, kana voicing', () => {
    expect(normalizeForSearch('किताब')).toBe('किताब');
    expect(normalizeForSearch('किताब')).not.toBe(normalizeForSearch('कातिब'));
    expect(searchWords('नई किताब')).toEqual(['नई', 'किताब']);
    expect(normalizeForSearch('ｶﾞｲﾄﾞ が')).toBe('ガイド が');
    expect(normalizeForSearch('Ελλάδα Москва́')).toBe('ελλαδα москва');
  });

  it('finds a Thai word inside a sentence written without spaces', () => {
    const keywords = ` ${indexKeywords('รัฐบาลประกาศแผนสร้างสวนสาธารณะใหม่ริมแม่น้ำ')} `;
    const matches = (q: string): boolean => searchWords(q).every((t) => keywords.includes(` ${t}`));
    expect(['สวนสาธารณะ', 'แม่น้ำ', 'รัฐบาล'].map(matches)).toEqual([true, true, true]);
    expect(['โรงเรียน', 'ภูเขา'].map(matches)).toEqual([false, false]);
  });

  it('indexes Arabic words without their attached article and conjunction', () => {
    expect(indexKeywords('والحكومة').split(' ')).toEqual(['والحكومه', 'حكومه', 'الحكومه']);
    expect(indexKeywords('بالمدينة').split(' ')).toEqual(expect.arrayContaining(['مدينه']));
    expect(indexKeywords('للطلاب').split(' ')).toEqual(expect.arrayContaining(['طلاب']));
    expect(indexKeywords('והרכבת').split(' ')).toEqual(['והרכבת', 'הרכבת']);
    expect(searchWords('Hello, world! مرحبا-بالعالم')).toEqual(['hello', 'world', 'مرحبا', 'بالعالم']);
  });

  it('splits Chinese and Japanese runs into overlapping character pairs, so a word matches anywhere in a sentence', () => {
    expect(searchWords('市議会が公園計画を承認')).toEqual([
      '市議',
      '議会',
      '会が',
      'が公',
      '公園',
      '園計',
      '計画',
      '画を',
      'を承',
      '承認',
      '認',
    ]);
    // Latin, digits and Hangul (written with spaces) stay whole words beside a run.
    expect(searchWords('iPhone 15を発表 한국 뉴스')).toEqual(['iphone', '15', 'を発', '発表', '表', ...searchWords('한국 뉴스')]);
    expect(searchWords('北京')).toEqual(['北京', '京']);
    expect(searchWords('中')).toEqual(['中']);
    // Every pair of a query found in the document's keywords: the query matches.
    const keywords = ` ${indexKeywords('市議会が川沿いの新しい公園計画を承認')} `;
    const matches = (q: string): boolean => searchWords(q).every((t) => keywords.includes(` ${t}`));
    expect(['公園', '承認', '公', '川沿い', '新しい公園'].map(matches)).toEqual([true, true, true, true, true]);
    expect(['公園計画書', '東京'].map(matches)).toEqual([false, false]);
  });
});

describe('search index', () => {
  it('holds one document per story with a safe URL, newest day first', () => {
    const shard = buildSearchShard('2026-11', [
      digest({ date: '2026-11-28', stories: [story({ id: 'old', url: 'javascript:alert(1)' }), story({ id: 'b' })] }),
      digest({ date: '2026-11-29', stories: [arabicStory()] }),
    ]);
    expect(shard.docs.map((d) => [d.d, d.p, d.l, d.r])).toEqual([
      ['2026-11-29', '2026/11/29/index.html', 'ar', 'rtl'],
      ['2026-11-28', '2026/11/28/index.html', 'en', 'ltr'],
    ]);
    expect(shard.docs[0]!.tk.split(' ')).toEqual(expect.arrayContaining(['ترامواي', 'رباط']));
    expect(shard.docs[0]!.k.split(' ')).toEqual(expect.arrayContaining(['مدينه', 'العالم']));
  });
});

describe('search script', () => {
  it('is valid JavaScript carrying the same normalization as the index', () => {
    const js = siteAssets().searchJs.body;
    expect(() => new vm.Script(js)).not.toThrow();
    // Pull the embedded function out and run it: it must agree with the build-time one.
    const m = /var normalizeForSearch = ([\s\S]*?);\n {2}var splitSearchWords/.exec(js);
    expect(m).not.toBeNull();
    const shipped = vm.runInNewContext(`(${m![1]})`) as (s: string) => string;
    for (const s of ['Café ÉCOLE', 'أحمد إسرائيل مدرسة مستشفى', 'שָׁלוֹם', '٢٠٢٦']) expect(shipped(s)).toBe(normalizeForSearch(s));
    // The word split too, Chinese/Japanese pairs included.
    const split = /var splitSearchWords = ([\s\S]*?);\n {2}var MAX/.exec(js);
    expect(split).not.toBeNull();
    const shippedSplit = vm.runInNewContext(`(${split![1]})`) as (s: string) => string[];
    for (const s of ['Hello, world', 'الحكومة تعلن', '市議会が公園計画を承認', 'iPhone 15を発表', 'नई किताब', 'สวนสาธารณะใหม่'])
      expect(shippedSplit(shipped(s))).toEqual(searchWords(s));
  });
});
