/**
 * The fields of a reader's choices (topics, how often, how many stories), shared by the site's
 * subscribe form and the "Change what you receive" page, in the chrome's language (its words from
 * the catalogue, weekday names from Intl). What may be chosen comes in as data.
 */
import type { Chrome } from '../i18n';
import { formatWeekday } from './format';
import { markup, type SafeHtml } from './html';

/** The form's weekday values, Monday first (the subscriptions' WEEKDAYS; render does not import subscriptions). */
const WEEKDAY_ORDER = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** A weekday's name in the chrome's language ("monday" → "Monday", "lundi", "月曜日"), from Intl: 2024-01-01 was a Monday. */
export function weekdayName(weekday: string, t: Chrome): string {
  const index = WEEKDAY_ORDER.indexOf(weekday);
  return index < 0 ? weekday : formatWeekday(`2024-01-0${index + 1}`, t.locale);
}

/** What a reader may choose: the config's categories, the weekdays, the bounds of the story count. */
export interface PreferenceFieldChoices {
  categories: string[];
  weekdays: readonly string[];
  minStories: number;
  maxStories: number;
}

/** The choices shown as already made. `categories` absent = every topic. */
export interface ShownPreferences {
  categories?: string[];
  frequency: 'daily' | 'weekly';
  weekday: string;
  maxStories: number;
}

/** The fields (no <form> element). `idPrefix` keeps ids unique when a page holds two forms. */
export function renderPreferenceFields(
  current: ShownPreferences,
  choices: PreferenceFieldChoices,
  t: Chrome,
  idPrefix = 'pref',
): SafeHtml {
  const chosen = (category: string): boolean => !current.categories || current.categories.includes(category);
  const topics = choices.categories.length
    ? markup`<fieldset><legend>${t.text('prefTopics')}</legend>${choices.categories.map(
        (c, i) =>
          markup`<label for="${idPrefix}-c${i}"><input id="${idPrefix}-c${i}" type="checkbox" name="categories" value="${c}"${chosen(c) ? markup` checked` : ''}> <bdi>${c}</bdi></label>`,
      )}<p class="muted">${t.text('prefTopicsHint')}</p></fieldset>`
    : '';
  const weekly = current.frequency === 'weekly';
  return markup`${topics}<fieldset><legend>${t.text('prefFrequency')}</legend>
<label for="${idPrefix}-daily"><input id="${idPrefix}-daily" type="radio" name="frequency" value="daily"${weekly ? '' : markup` checked`}> ${t.text('prefDaily')}</label>
<label for="${idPrefix}-weekly"><input id="${idPrefix}-weekly" type="radio" name="frequency" value="weekly"${weekly ? markup` checked` : ''}> ${t.text('prefWeekly')}</label>
<label for="${idPrefix}-weekday">${t.text('prefWeekday')}</label><select id="${idPrefix}-weekday" name="weekday">${choices.weekdays.map(
    (d) => markup`<option value="${d}"${d === current.weekday ? markup` selected` : ''}>${weekdayName(d, t)}</option>`,
  )}</select></fieldset>
<label for="${idPrefix}-max">${t.text('prefMaxStories')}</label><input id="${idPrefix}-max" type="number" name="maxStories" min="${choices.minStories}" max="${choices.maxStories}" value="${current.maxStories}">
`;
}
