/** Dates, times and counts as the page shows them, in the digest's time zone. */

const longDateFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const monthFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'long', year: 'numeric' });
const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });

const noon = (date: string): Date => new Date(`${date}T12:00:00Z`);

/** "Sunday, 29 November 2026" for "2026-11-29". */
export const formatLongDate = (date: string): string => longDateFormat.format(noon(date));

/** "November 2026" for "2026-11". */
export const formatMonth = (month: string): string => monthFormat.format(noon(`${month}-15`));

const weekdayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long' });

/** "Sunday" for "2026-11-29". */
export const formatWeekday = (date: string): string => weekdayFormat.format(noon(date));

/** "07:05" for an instant, in `timeZone` (24-hour clock). */
export const formatClock = (iso: string, timeZone: string): string => formatsFor(timeZone).time.format(new Date(iso));

/** "Sun 29 Nov" for "2026-11-29". */
export const formatShortDate = (date: string): string => dayFormat.format(noon(date));

const zoneFormats = new Map<string, { time: Intl.DateTimeFormat; date: Intl.DateTimeFormat; day: Intl.DateTimeFormat }>();
function formatsFor(timeZone: string) {
  let f = zoneFormats.get(timeZone);
  if (!f) {
    let zone = timeZone;
    try {
      new Intl.DateTimeFormat('en', { timeZone });
    } catch {
      zone = 'UTC';
    }
    f = {
      time: new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
      date: new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }),
      day: new Intl.DateTimeFormat('en-GB', { timeZone: zone, day: 'numeric', month: 'short' }),
    };
    zoneFormats.set(timeZone, f);
  }
  return f;
}

/**
 * A story's time as readers of this digest see it: "07:05" on the digest's day, "28 Nov 21:10"
 * on another day; undefined when the timestamp is not a date.
 */
export function formatStoryTime(iso: string, timeZone: string, digestDate: string): string | undefined {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return undefined;
  const d = new Date(t);
  const f = formatsFor(timeZone);
  const time = f.time.format(d);
  return f.date.format(d) === digestDate ? time : `${f.day.format(d)} ${time}`;
}

/** UTC "2026-11-29T06:10Z" (a valid `datetime` value, minute precision as shown), or undefined. */
export function isoOrUndefined(iso: string): string | undefined {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? `${new Date(t).toISOString().slice(0, 16)}Z` : undefined;
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
