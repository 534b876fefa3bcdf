/**
 * Dates, times and counts as the page shows them, in the digest's time zone and the chrome's
 * locale (`Chrome.locale`; "en-GB" when none is given, the site's English look).
 */

const DEFAULT_LOCALE = 'en-GB';

type DateStyle = 'long' | 'month' | 'short' | 'weekday';

const DATE_OPTIONS: Record<DateStyle, Intl.DateTimeFormatOptions> = {
  /** "Sunday, 29 November 2026" */
  long: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
  /** "November 2026" */
  month: { month: 'long', year: 'numeric' },
  /** "Sun 29 Nov" */
  short: { weekday: 'short', day: 'numeric', month: 'short' },
  /** "Sunday" */
  weekday: { weekday: 'long' },
};

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(style: DateStyle, locale: string): Intl.DateTimeFormat {
  const key = `${style} ${locale}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...DATE_OPTIONS[style] });
    dateFormats.set(key, f);
  }
  return f;
}

const noon = (date: string): Date => new Date(`${date}T12:00:00Z`);

/** "Sunday, 29 November 2026" for "2026-11-29". */
export const formatLongDate = (date: string, locale = DEFAULT_LOCALE): string => dateFormat('long', locale).format(noon(date));

/** "November 2026" for "2026-11". */
export const formatMonth = (month: string, locale = DEFAULT_LOCALE): string =>
  dateFormat('month', locale).format(noon(`${month}-15`));

/** "Sunday" for "2026-11-29". */
export const formatWeekday = (date: string, locale = DEFAULT_LOCALE): string => dateFormat('weekday', locale).format(noon(date));

/** "Sun 29 Nov" for "2026-11-29". */
export const formatShortDate = (date: string, locale = DEFAULT_LOCALE): string => dateFormat('short', locale).format(noon(date));

/** "07:05" for an instant, in `timeZone` (24-hour clock). */
export const formatClock = (iso: string, timeZone: string, locale = DEFAULT_LOCALE): string =>
  formatsFor(timeZone, locale).time.format(new Date(iso));

const zoneFormats = new Map<string, { time: Intl.DateTimeFormat; date: Intl.DateTimeFormat; day: Intl.DateTimeFormat }>();
function formatsFor(timeZone: string, locale: string) {
  const key = `${timeZone} ${locale}`;
  let f = zoneFormats.get(key);
  if (!f) {
    let zone = timeZone;
    try {
      new Intl.DateTimeFormat('en', { timeZone });
    } catch {
      zone = 'UTC';
    }
    f = {
      time: new Intl.DateTimeFormat(locale, { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
      // Only compared with the digest's YYYY-MM-DD date, never shown: always en-CA.
      date: new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }),
      day: new Intl.DateTimeFormat(locale, { timeZone: zone, day: 'numeric', month: 'short' }),
    };
    zoneFormats.set(key, f);
  }
  return f;
}

/**
 * A story's time as readers of this digest see it: "07:05" on the digest's day, "28 Nov 21:10"
 * on another day; undefined when the timestamp is not a date.
 */
export function formatStoryTime(iso: string, timeZone: string, digestDate: string, locale = DEFAULT_LOCALE): string | undefined {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return undefined;
  const d = new Date(t);
  const f = formatsFor(timeZone, locale);
  const time = f.time.format(d);
  return f.date.format(d) === digestDate ? time : `${f.day.format(d)} ${time}`;
}

/** UTC "2026-11-29T06:10Z" (a valid `datetime` value, minute precision as shown), or undefined. */
export function isoOrUndefined(iso: string): string | undefined {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? `${new Date(t).toISOString().slice(0, 16)}Z` : undefined;
}
