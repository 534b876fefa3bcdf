import { parseFeedDate } from '../../src/feeds';

describe('parseFeedDate', () => {
  it.each([
    ['Sat, 13 Dec 2003 18:30:02 GMT', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 13:30:02 EST', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 19:30:02 MET', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 03 18:30:02 Z', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 10:30:02 -0800 (PST)', '2003-12-13T18:30:02.000Z'],
    ['2003-12-13T18:30:02.25+01:00', '2003-12-13T17:30:02.250Z'],
    ['2003-12-13', '2003-12-13T00:00:00.000Z'],
    ['Sa, 13 Dez 2003 18:30:02 GMT', '2003-12-13T18:30:02.000Z'],
    ['sam., 13 déc. 2003 18:30:02 +0000', '2003-12-13T18:30:02.000Z'],
    ['Sun Dec 14 02:30:02 JST 2003', '2003-12-13T17:30:02.000Z'],
    ['December 13th, 2003 6:30 pm', '2003-12-13T18:30:00.000Z'],
  ])('%s', (raw, iso) => {
    expect(parseFeedDate(raw)?.toISOString()).toBe(iso);
  });

  it.each([
    'Mon, 31 Feb 2003 10:00:00 GMT',
    '2003-02-29',
    '2003-13-01',
    'Sat, 13 Dec 2003 24:30:02 GMT',
    'yesterday',
    '',
    '12345678901',
    'Sat, 13 Dec 2003 18:30:02 +9999',
  ])('does not invent a date for %j', (raw) => {
    expect(parseFeedDate(raw)).toBeUndefined();
  });
});
