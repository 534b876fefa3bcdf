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

describe('parseFeedDate: calendar and clock boundaries', () => {
  it.each([
    ['2003-12-31', '2003-12-31T00:00:00.000Z'],
    ['2003-01-01', '2003-01-01T00:00:00.000Z'],
    ['2003-04-30', '2003-04-30T00:00:00.000Z'],
    // Leap years: every fourth year, not centuries, but every fourth century.
    ['2004-02-29', '2004-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['2003-02-28', '2003-02-28T00:00:00.000Z'],
    ['2003-12-13T23:59:59Z', '2003-12-13T23:59:59.000Z'],
    ['2003-12-13T00:00:00Z', '2003-12-13T00:00:00.000Z'],
    // 24:00:00 is the midnight that ends the day.
    ['2003-12-13T24:00:00Z', '2003-12-14T00:00:00.000Z'],
    ['2003-12-31T24:00Z', '2004-01-01T00:00:00.000Z'],
    // A leap second is kept as the last second Date can hold.
    ['2003-12-31T23:59:60Z', '2003-12-31T23:59:59.000Z'],
    ['1900-01-01', '1900-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
  ])('reads %s', (raw, iso) => {
    expect(parseFeedDate(raw)?.toISOString()).toBe(iso);
  });

  it.each([
    '2003-12-32',
    '2003-12-00',
    '2003-00-13',
    '2003-04-31',
    '1900-02-29',
    '2003-12-13T25:00Z',
    '2003-12-13T24:00:01Z',
    '2003-12-13T24:01Z',
    '2003-12-13T24:00:00.5Z',
    '2003-12-13T18:60Z',
    '2003-12-13T18:30:61Z',
    '1899-12-31T23:59:59Z',
    'Sat, 13 Dec 2003 24:00:01 GMT',
    'Sat, 13 Dec 2003 23:60:00 GMT',
    'Sat, 13 Dec 2003 23:59:61 GMT',
  ])('refuses %j, which does not exist', (raw) => {
    expect(parseFeedDate(raw)).toBeUndefined();
  });
});

describe('parseFeedDate: ISO 8601 shapes', () => {
  it.each([
    ['20031213T183002Z', '2003-12-13T18:30:02.000Z'],
    ['2003-12', '2003-12-01T00:00:00.000Z'],
    ['2003', '2003-01-01T00:00:00.000Z'],
    ['2003-12-13T18Z', '2003-12-13T18:00:00.000Z'],
    ['2003-12-13 18:30', '2003-12-13T18:30:00.000Z'],
    ['2003-12-13T18:30:02,5Z', '2003-12-13T18:30:02.500Z'],
    ['2003-12-13T18:30:02.1Z', '2003-12-13T18:30:02.100Z'],
    ['2003-12-13T18:30:02.123456789Z', '2003-12-13T18:30:02.123Z'],
    ['2003-12-13T18:30:02.0006Z', '2003-12-13T18:30:02.001Z'],
    // Offsets at both signs and both ends of the range, with and without a colon.
    ['2003-12-13T18:30:02+14:00', '2003-12-13T04:30:02.000Z'],
    ['2003-12-13T18:30:02-14:00', '2003-12-14T08:30:02.000Z'],
    ['2003-12-13T18:30:02+05:59', '2003-12-13T12:31:02.000Z'],
    ['2003-12-13T18:30:02-0330', '2003-12-13T22:00:02.000Z'],
    ['2003-12-13T18:30:02+05', '2003-12-13T13:30:02.000Z'],
    ['2003-12-13T18:30:02 EST', '2003-12-13T23:30:02.000Z'],
    ['2003-12-13T18:30:02 CEST', '2003-12-13T16:30:02.000Z'],
    ['2003-12-13 18:30:02 GMT+05:30', '2003-12-13T13:00:02.000Z'],
    ['2003-12-13 18:30:02 UTC-08', '2003-12-14T02:30:02.000Z'],
    ['2003-12-13T18:30:02 GMT-0800', '2003-12-14T02:30:02.000Z'],
    // ISO with a month name, in any language.
    ['2004-július-3', '2004-07-03T00:00:00.000Z'],
    ['2004-Sept.-13', '2004-09-13T00:00:00.000Z'],
    ['2004-Ιουλ-13', '2004-07-13T00:00:00.000Z'],
    ['2004-Ιουλ-13 09:15', '2004-07-13T09:15:00.000Z'],
    ['Tue 2004-July-13', '2004-07-13T00:00:00.000Z'],
  ])('reads %s', (raw, iso) => {
    expect(parseFeedDate(raw)?.toISOString()).toBe(iso);
  });

  it.each([
    '2003-12-13T18:30:02+15:00',
    '2003-12-13T18:30:02+05:60',
    '2003-12-13T18:30:02 XYZ',
    // A zone belongs to a time.
    '2003-12-13Z',
    '2003-12-13 EST',
  ])('refuses %j', (raw) => {
    expect(parseFeedDate(raw)).toBeUndefined();
  });
});

describe('parseFeedDate: zones in free-form dates', () => {
  it.each([
    // A named or numeric zone needs no time.
    ['13 Dec 2003 EST', '2003-12-13T05:00:00.000Z'],
    ['13 Dec 2003 +0100', '2003-12-12T23:00:00.000Z'],
    // Military zones after a time: all read as UTC (RFC 2822), J (local time) is not a zone.
    ['Sat, 13 Dec 2003 18:30:02 B', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 18:30:02 M', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 18:30:02 N', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 18:30:02 Y', '2003-12-13T18:30:02.000Z'],
    ['13 Dec 2003 10:00 AT', '2003-12-13T14:00:00.000Z'],
    // The offset after GMT is the zone, space or not, comment or not.
    ['Sat, 13 Dec 2003 10:30:02 GMT -0800', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 10:30:02 GMT-0800 (PST)', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 10:30:02 (GMT-08:00)', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 10:30:02 GMT -8', '2003-12-13T18:30:02.000Z'],
    ['Sun Dec 14 02:30:02 GMT+9 2003', '2003-12-13T17:30:02.000Z'],
    ['Sun Dec 14 02:30:02 UTC+0900 2003', '2003-12-13T17:30:02.000Z'],
    // An offset glued to the time.
    ['Sat, 13 Dec 2003 10:30:02-0800', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 10:30-08:00', '2003-12-13T18:30:00.000Z'],
    ['Sat, 13 Dec 2003 20:30+02', '2003-12-13T18:30:00.000Z'],
    // A zone in a comment, or an empty comment.
    ['Sat, 13 Dec 2003 10:30:02 (PST)', '2003-12-13T18:30:02.000Z'],
    ['Sat, 13 Dec 2003 18:30:02 ()', '2003-12-13T18:30:02.000Z'],
    ['Fri, 2006/09/15 08:19:53 Etc/UTC', '2006-09-15T08:19:53.000Z'],
    ['Fri, 2006/09/15 08:19:53 +0200', '2006-09-15T06:19:53.000Z'],
    ['2006/9/5 8:19', '2006-09-05T08:19:00.000Z'],
  ])('reads %s', (raw, iso) => {
    expect(parseFeedDate(raw)?.toISOString()).toBe(iso);
  });

  it.each([
    // A letter alone is a zone only after a time.
    '13 Dec 2003 Z',
    'Sat, 13 Dec 2003 18:30:02 J',
    // Etc/GMT+5 is five hours west: too easy to misread, so not read at all.
    'Wed, 02 Mar 2011 09:05:00 Etc/GMT+5',
    // Two zones in one token, parentheses that do not enclose it, an offset with seconds.
    'Sat, 13 Dec 2003 18:30:02 EST+05',
    'Sat, 13 Dec 2003 18:30:02 E(ST)',
    'Sat, 13 Dec 2003 18:30:02 (ES)T',
    'Sat, 13 Dec 2003 18:30:02 +01:00:00',
    'Sat, 13 Dec 2003 18:30:02 +15',
    'Fri, 2006/09/15 08:19:53 XYZ',
  ])('refuses %j', (raw) => {
    expect(parseFeedDate(raw)).toBeUndefined();
  });
});

describe('parseFeedDate: free-form day, month, year and time', () => {
  it.each([
    ['13 Dec 2003', '2003-12-13T00:00:00.000Z'],
    ['1 Dec 2003', '2003-12-01T00:00:00.000Z'],
    ['31 Dec 2003', '2003-12-31T00:00:00.000Z'],
    ['13-Dec-2003 18:30', '2003-12-13T18:30:00.000Z'],
    ['Sat,13 Dec 2003 18:30 GMT', '2003-12-13T18:30:00.000Z'],
    ['13. Dezember 2003 18.30', '2003-12-13T18:30:00.000Z'],
    ['13 Dec 2003 18h30', '2003-12-13T18:30:00.000Z'],
    // "mar" is Tuesday in French and March in English: a month name wins, else it is March.
    ['mar. 16 déc. 2003 18:30', '2003-12-16T18:30:00.000Z'],
    ['Mar 13 2003', '2003-03-13T00:00:00.000Z'],
    // Two-digit years: 00-49 are this century, 50-99 the last.
    ['13 Dec 49', '2049-12-13T00:00:00.000Z'],
    ['13 Dec 50', '1950-12-13T00:00:00.000Z'],
    ['13 Dec 99', '1999-12-13T00:00:00.000Z'],
    ['13 Dec 00', '2000-12-13T00:00:00.000Z'],
    // A number that cannot be a day is the year.
    ['99 Dec 13', '1999-12-13T00:00:00.000Z'],
    ['00 Dec 13', '2000-12-13T00:00:00.000Z'],
    // am and pm, with or without a space.
    ['13 Dec 2003 6:30 am', '2003-12-13T06:30:00.000Z'],
    ['13 Dec 2003 6:30pm', '2003-12-13T18:30:00.000Z'],
    ['13 Dec 2003 6:30:15PM', '2003-12-13T18:30:15.000Z'],
    ['13 Dec 2003 11:59 pm', '2003-12-13T23:59:00.000Z'],
    ['13 Dec 2003 12:30 pm', '2003-12-13T12:30:00.000Z'],
    ['13 Dec 2003 12:05 am', '2003-12-13T00:05:00.000Z'],
    ['13 Dec 2003 12:05am EST', '2003-12-13T05:05:00.000Z'],
  ])('reads %s', (raw, iso) => {
    expect(parseFeedDate(raw)?.toISOString()).toBe(iso);
  });

  it.each([
    '32 Dec 2003',
    '0 Dec 2003',
    'Dec 2003',
    '13 Dec',
    '13 2003 18:30',
    // Two months, two years, a one-digit year, a day of three digits, a five-digit year.
    'Dec 13 2003 Jan',
    '13 Dec 2003 2004',
    '13 Dec 5',
    'Dec 2003 013',
    '13 Dec 20035',
    // An hour without minutes is not a time.
    '13 Dec 2003 18',
    // A word we cannot place.
    '13 Dec 2003 18:30 Amsterdam',
    // Outside the canonical shape, an unknown weekday is a word we cannot place.
    'Xyz, 13 Dec 2003 18:30 GMT',
  ])('refuses %j', (raw) => {
    expect(parseFeedDate(raw)).toBeUndefined();
  });
});

describe('parseFeedDate: the canonical RFC 1123 shape', () => {
  it.each([
    // The weekday is redundant in RFC 822: one in another language, or a typo, loses no date.
    ['Xyz, 13 Dec 2003 18:30:02 GMT', '2003-12-13T18:30:02.000Z'],
    ['Sab, 13 Dec 2003 18:30:02 +0100', '2003-12-13T17:30:02.000Z'],
    ['Sat, 13 Dec 2003 18:30:02 -1400', '2003-12-14T08:30:02.000Z'],
  ])('reads %j whatever its weekday says', (raw, iso) => {
    expect(parseFeedDate(raw)?.toISOString()).toBe(iso);
  });
});

describe('parseFeedDate: Korean local time (KST, UTC+9)', () => {
  it.each([
    ['2011년 03월 02일 09:05:07', '2011-03-02T00:05:07.000Z'],
    ['2011년 3월 2일 09:05', '2011-03-02T00:05:00.000Z'],
    ['2011-03-02 오전 09:05:07', '2011-03-02T00:05:07.000Z'],
    ['2011-03-02 오후 12:05', '2011-03-02T03:05:00.000Z'],
    ['2011-03-02 오후 11:59:59', '2011-03-02T14:59:59.000Z'],
  ])('reads %s', (raw, iso) => {
    expect(parseFeedDate(raw)?.toISOString()).toBe(iso);
  });
});

describe('parseFeedDate: the raw value', () => {
  it('reads a date surrounded by whitespace, as it comes out of XML', () => {
    expect(parseFeedDate('\n    Sat, 13 Dec 2003 18:30:02 GMT\n  ')?.toISOString()).toBe('2003-12-13T18:30:02.000Z');
  });

  it.each([undefined, null, '   '])('gives undefined for %j', (raw) => {
    expect(parseFeedDate(raw)).toBeUndefined();
  });

  it('reads up to 80 characters and refuses longer values', () => {
    const date = (spaces: number): string => `13 Dec 2003${' '.repeat(spaces)}18:30 GMT`;
    expect(date(60)).toHaveLength(80);
    expect(parseFeedDate(date(60))?.toISOString()).toBe('2003-12-13T18:30:00.000Z');
    expect(parseFeedDate(`${date(60)}  `)?.toISOString()).toBe('2003-12-13T18:30:00.000Z');
    expect(parseFeedDate(date(61))).toBeUndefined();
  });
});
