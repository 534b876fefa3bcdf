import { EXTRACTIVE_DEFAULTS, stripDateline, summarize } from '../../src/summarize';
import { normalizeWords, stopwordsFor, words } from '../../src/summarize/words';

const words40 = (s: string): number => s.split(/\s+/).filter(Boolean).length;

// A small news article: a strong lead, a central follow-up, quotes, a question and boilerplate.
const article = [
  'LONDON (Reuters) — The city council approved a plan on Tuesday to build 5,000 affordable homes on former railway land in east London, ending a two-year dispute with developers.',
  'The plan, backed by 41 of 60 councillors, requires developers to reserve half of the new homes for families on the council housing waiting list.',
  '“This is a historic day.”',
  'Have you ever wondered where your rent goes?',
  'Construction of the affordable homes on the railway land is expected to begin next spring and to take about six years, the council said.',
  'Critics said the railway land plan would strain local schools and transport, and called for more funding from central government.',
  'Sign up for our newsletter to get the latest news every morning.',
  'The mayor, who campaigned on housing, said the affordable homes would be built to high energy standards and the council would monitor the developers closely every year.',
  'In other news, the local football club won its third match in a row on Saturday.',
].join('\n');

describe('summarize (extractive)', () => {
  test('k sentences of the article, in original order, deterministic', () => {
    const out = summarize(article, { lang: 'en', maxSentences: 3 });
    expect(out).toHaveLength(3);
    const positions = out.map((s) => article.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(summarize(article, { lang: 'en', maxSentences: 3 })).toEqual(out);
  });

  test('drops quote-only, question, boilerplate; strips the dateline', () => {
    const out = summarize(article, { lang: 'en', maxSentences: 5 }).join('\n');
    expect(out).not.toContain('historic day');
    expect(out).not.toContain('Have you ever');
    expect(out).not.toContain('newsletter');
    expect(out).not.toContain('LONDON (Reuters)');
    expect(out.startsWith('The city council approved a plan on Tuesday')).toBe(true);
  });

  test('calls to action are boilerplate, ordinary words like "subscribers" are not', () => {
    const text = [
      'Netflix added nine million subscribers in the first quarter, beating analyst forecasts by a wide margin.',
      'Subscribe now to get unlimited access to all our journalism for just one pound a week.',
      'The company said its cheaper plan with advertising was growing fastest in Europe and Latin America.',
      'Shares rose eight percent in after-hours trading following the results announcement on Tuesday.',
    ].join(' ');
    const out = summarize(text, { lang: 'en', maxSentences: 4 }).join(' ');
    expect(out).toContain('subscribers');
    expect(out).not.toContain('Subscribe now');
  });

  test('drops bylines and timestamps, keeps sentences that merely start with "By"', () => {
    const text = [
      'By Jane Doe, Political Correspondent',
      'PUBLISHED: 10:01 EST, 3 March 2015 | UPDATED: 12:30 EST, 3 March 2015',
      'The prime minister announced a snap general election on Tuesday, two years ahead of schedule.',
      'By Wednesday morning, three opposition parties had agreed to form an electoral alliance against the government.',
      'Polls suggest the governing party would lose its majority if an election were held today.',
    ].join('\n');
    const out = summarize(text, { lang: 'en', maxSentences: 3 }).join('\n');
    expect(out).not.toContain('Jane Doe');
    expect(out).not.toContain('PUBLISHED');
    expect(out).toContain('By Wednesday morning');
  });

  test('three sentences stay within 40–90 words; a 120-word sentence is never chosen', () => {
    const monster = `The committee ${'and its many subcommittees, working groups and advisory panels '.repeat(12)}met.`;
    expect(words40(monster)).toBeGreaterThan(100);
    const text = [
      'The national weather service issued a storm warning for the northern coast on Friday morning.',
      monster,
      'Residents of the northern coast were told to stay indoors as the storm approached on Friday.',
      'Schools on the northern coast closed early and ferries to the islands were cancelled because of the storm.',
      'The storm is expected to weaken over the weekend as it moves inland, the weather service said.',
    ].join(' ');
    const out = summarize(text, { lang: 'en', maxSentences: 3 });
    expect(out).not.toContain(monster);
    const total = words40(out.join(' '));
    expect(total).toBeGreaterThanOrEqual(40);
    expect(total).toBeLessThanOrEqual(90);
  });

  test('redundancy control: a repeated caption is not chosen twice', () => {
    const lead = 'Firefighters rescued two hikers from a ravine in the Alps on Sunday after a night in freezing temperatures.';
    const text = [
      lead,
      lead,
      'The hikers, both in their twenties, were treated for hypothermia at a hospital in Grenoble and are now stable.',
      'A helicopter crew located the pair at dawn using thermal cameras after their phones lost signal.',
    ].join(' ');
    const out = summarize(text, { lang: 'en', maxSentences: 3 });
    expect(out.filter((s) => s === lead)).toHaveLength(1);
  });

  test('the title pulls in the sentence that matches it', () => {
    const text = [
      'Officials met in the capital on Monday for the second day of talks.',
      'Delegations from both countries arrived with large teams of advisers and staff members.',
      'The talks were held behind closed doors in the foreign ministry building downtown.',
      'Journalists waited outside the building for most of the day in the rain.',
      'Later, the two countries agreed a ceasefire along the northern border starting at midnight.',
      'The next round is planned for the summer, a spokesman for the ministry said.',
    ].join(' ');
    const withTitle = summarize(text, { lang: 'en', maxSentences: 2, title: 'Countries agree ceasefire on northern border' });
    expect(withTitle.join(' ')).toContain('ceasefire');
    // The best sentence comes late in the article: the summary still reads in the article's order.
    expect(withTitle).toHaveLength(2);
    expect(withTitle[1]).toContain('ceasefire');
    const positions = withTitle.map((s) => text.indexOf(s));
    expect(positions[0]).toBeLessThan(positions[1]);
  });

  test('empty and tiny inputs', () => {
    expect(summarize('', { lang: 'en' })).toEqual([]);
    expect(summarize('Too short.', { lang: 'en' })).toEqual([]);
    expect(
      summarize('One sentence that is long enough to be a summary on its own.', { lang: 'en', maxSentences: 3 }),
    ).toHaveLength(1);
  });

  test('other languages and scripts: Hebrew, Russian, Chinese, unknown tag', () => {
    const he =
      'ראש הממשלה נפגש היום בירושלים עם שר החוץ האמריקאי כדי לדון בהסכם החדש. השניים דנו בהסכם החדש ובשיתוף הפעולה הביטחוני בין המדינות. בסוף הפגישה נמסר כי ההסכם ייחתם בחודש הבא בוושינגטון.';
    expect(summarize(he, { lang: 'he', maxSentences: 2 })).toHaveLength(2);
    const ru =
      'Президент подписал во вторник закон о новых налогах для крупных компаний. Закон вступит в силу с первого января следующего года. Эксперты считают, что новые налоги принесут бюджету миллиарды рублей.';
    expect(summarize(ru, { lang: 'und', maxSentences: 2 })).toHaveLength(2);
    const zh =
      '中国国家统计局周一发布的数据显示，今年第三季度国内生产总值同比增长百分之四点九。分析人士表示，消费和出口的回升推动了经济增长。政府表示将继续实施积极的财政政策以支持经济。';
    const out = summarize(zh, { lang: 'zh', maxSentences: 2 });
    expect(out.length).toBeGreaterThanOrEqual(1);
    expect(out.every((s) => zh.includes(s))).toBe(true);
  });

  test('named defaults are frozen and overridable per call', () => {
    expect(Object.isFrozen(EXTRACTIVE_DEFAULTS)).toBe(true);
    const leadOnly = summarize(article, {
      lang: 'en',
      maxSentences: 2,
      tuning: { centralityWeight: 0, positionWindow: 1 },
    });
    expect(leadOnly[0]).toContain('The city council approved');
  });
});

describe('stripDateline', () => {
  test.each([
    [
      'WASHINGTON (Reuters) - The Senate passed the bill on a 60-40 vote late on Tuesday.',
      'The Senate passed the bill on a 60-40 vote late on Tuesday.',
    ],
    [
      'PARIS — Le gouvernement a présenté mardi son projet de budget pour 2025.',
      'Le gouvernement a présenté mardi son projet de budget pour 2025.',
    ],
    [
      '(CNN) -- A powerful earthquake struck off the coast of Japan on Friday morning.',
      'A powerful earthquake struck off the coast of Japan on Friday morning.',
    ],
    [
      'المغرب – قال مسؤول دفاع إسرائيلي كبير إن البلدين سيبدآن تعاونا عميقا.',
      'قال مسؤول دفاع إسرائيلي كبير إن البلدين سيبدآن تعاونا عميقا.',
    ],
  ])('%s', (input, expected) => {
    expect(stripDateline(input)).toBe(expected);
  });

  test('leaves ordinary sentences with a dash alone', () => {
    const s = 'Gary Locke will be confirmed as manager on Friday - exactly eight weeks after he took charge.';
    expect(stripDateline(s)).toBe(s);
    const t = 'Warrington - who won 29-10 - put a dampener on the day.';
    expect(stripDateline(t)).toBe(t);
  });
});

describe('words and stopwords', () => {
  test('Arabic normalization: diacritics, tatweel and alef forms', () => {
    expect(normalizeWords('أَحْمَد إبراهيم آمن ٱلكتاب العـــربية')).toBe('احمد ابراهيم امن الكتاب العربيه');
  });

  test('stopword lists exist for en, ar, he, fr, de, es, ru', () => {
    for (const lang of ['en', 'ar', 'he', 'fr', 'de', 'es', 'ru']) expect(stopwordsFor(lang).size).toBeGreaterThan(100);
    expect(stopwordsFor('ar').has(normalizeWords('إلى'))).toBe(true);
    expect(stopwordsFor('xx').size).toBe(0);
  });

  test('word tokens: letters and digits, dictionary segmentation for scripts without spaces', () => {
    expect(words('the u.s. army, 2024!')).toEqual(['the', 'u', 's', 'army', '2024']);
    expect(words('東京都の人口').length).toBeGreaterThan(1);
  });
});
