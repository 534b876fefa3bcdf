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
    // Hungarian month in an ISO shape, single-digit hour.
    ['2011-március-02T7:05+01:00', '2011-03-02T06:05:00.000Z'],
    // Korean blog platforms: local time, KST (UTC+9), with 오전/오후 for am/pm.
    ['2011년 03월 02일 09:05:00', '2011-03-02T00:05:00.000Z'],
    ['2011-03-02 오후 09:05:00', '2011-03-02T12:05:00.000Z'],
    ['2011-03-02 오전 12:05:00', '2011-03-01T15:05:00.000Z'],
    // Year-first slashed dates with a zone, and zone spellings.
    ['Wed, 2011/03/02 09:05:00 EST', '2011-03-02T14:05:00.000Z'],
    ['Wed, 02 Mar 2011 09:05:00 Etc/GMT', '2011-03-02T09:05:00.000Z'],
    ['Wed, 02 Mar 2011 09:05:00 GMT+05:30', '2011-03-02T03:35:00.000Z'],
    ['Wed, 02 Mar 2011 09:05:00 PT', '2011-03-02T17:05:00.000Z'],
    ['on 2 March 2011 at 09:05', '2011-03-02T09:05:00.000Z'],
  ])('%s', (raw, iso) => {
    expect(parseFeedDate(raw)?.toISOString()).toBe(iso);
  });

  // The RFC 822 fast path, offset by offset: a flipped sign puts every such date hours off.
  it.each([
    ['Sat, 13 Dec 2003 10:30:02 -0800', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 20:30:02 +0200', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 18:30:02 +0530', '2003-12-13T13:00:02.000Z'],
    ['Sat, 13 Dec 2003 15:00:02 -0330', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 18:30:02 +0000', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 18:30:02 GMT', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 18:30:02 UT', '2003-12-13T18:30:02.000Z'],
    // Military zones: Z is UTC; the others were defined with the wrong sign, so RFC 2822 reads them as UTC.
    ['Sat, 13 Dec 2003 18:30:02 Z', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 18:30:02 A', '2003-12-13T18:30:02.000Z'],
  ])('numeric and named zone %s', (raw, iso) => {
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
    // A numeric suffix on a date without a time is not a zone.
    '2013-01-27-01',
    '2011-03-02 오후 13:05:00',
  ])('does not invent a date for %j', (raw) => {
    expect(parseFeedDate(raw)).toBeUndefined();
  });
});
