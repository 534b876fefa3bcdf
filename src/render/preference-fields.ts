/**
 * The fields of a reader's choices (topics, how often, how many stories), shared by the site's
 * subscribe form and the "Change what you receive" page. Its words are in one object
 * (`PREFERENCES_STRINGS`) so they can move into a message catalogue as a whole. What may be chosen
 * comes in as data, so the renderer depends on nothing but the page's escaping.
 */
import { markup, type SafeHtml } from './html';

export const PREFERENCES_STRINGS = Object.freeze({
  heading: 'Change what you receive',
  intro: (title: string) => `Choose what ${title} brings you. Nothing changes until you press Save.`,
  subscribeChoices: 'Choose topics and how often (optional)',
  topics: 'Topics',
  topicsHint: 'Tick none, or all, to receive every topic (also topics added later).',
  frequency: 'How often',
  daily: 'Every day',
  weekly: 'Once a week, the week’s top stories',
  weekday: 'Day of the weekly mail',
  maxStories: 'At most this many stories per mail',
  save: 'Save my choices',
  saved: 'Your choices are saved',
  savedMessage: (summary: string) => `From the next mail on you receive ${summary}.`,
  notSubscribed: 'Not subscribed',
  notSubscribedMessage: 'This address does not receive the digest any more. You can subscribe again from the digest page.',
  weekdays: {
    monday: 'Monday',
    tuesday: 'Tuesday',
    wednesday: 'Wednesday',
    thursday: 'Thursday',
    friday: 'Friday',
    saturday: 'Saturday',
    sunday: 'Sunday',
  } as Record<string, string>,
});

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

const S = PREFERENCES_STRINGS;

/** The fields (no <form> element). `idPrefix` keeps ids unique when a page holds two forms. */
export function renderPreferenceFields(current: ShownPreferences, choices: PreferenceFieldChoices, idPrefix = 'pref'): SafeHtml {
  const chosen = (category: string): boolean => !current.categories || current.categories.includes(category);
  const topics = choices.categories.length
    ? markup`<fieldset><legend>${S.topics}</legend>${choices.categories.map(
        (c, i) =>
          markup`<label for="${idPrefix}-c${i}"><input id="${idPrefix}-c${i}" type="checkbox" name="categories" value="${c}"${chosen(c) ? markup` checked` : ''}> <bdi>${c}</bdi></label>`,
      )}<p class="muted">${S.topicsHint}</p></fieldset>`
    : '';
  const weekly = current.frequency === 'weekly';
  return markup`${topics}<fieldset><legend>${S.frequency}</legend>
<label for="${idPrefix}-daily"><input id="${idPrefix}-daily" type="radio" name="frequency" value="daily"${weekly ? '' : markup` checked`}> ${S.daily}</label>
<label for="${idPrefix}-weekly"><input id="${idPrefix}-weekly" type="radio" name="frequency" value="weekly"${weekly ? markup` checked` : ''}> ${S.weekly}</label>
<label for="${idPrefix}-weekday">${S.weekday}</label><select id="${idPrefix}-weekday" name="weekday">${choices.weekdays.map(
    (d) => markup`<option value="${d}"${d === current.weekday ? markup` selected` : ''}>${S.weekdays[d] ?? d}</option>`,
  )}</select></fieldset>
<label for="${idPrefix}-max">${S.maxStories}</label><input id="${idPrefix}-max" type="number" name="maxStories" min="${choices.minStories}" max="${choices.maxStories}" value="${current.maxStories}">
`;
}
