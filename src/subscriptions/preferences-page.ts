/**
 * The "Change what you receive" form: topics, how often, how many stories. Its words are in one
 * object (`PREFERENCES_STRINGS`) so they can move into a message catalogue as a whole. The form
 * posts back to the same signed link: the token is the proof that the reader holds the mail.
 */
import { markup, type SafeHtml } from '../render/html';
import { MAIL_STORIES_BOUNDS, WEEKDAYS, type EffectivePreferences, type PreferenceChoices, type Weekday } from './preferences';

export const PREFERENCES_STRINGS = Object.freeze({
  heading: 'Change what you receive',
  intro: (title: string) => `Choose what ${title} brings you. Nothing changes until you press Save.`,
  topics: 'Topics',
  topicsHint: 'Tick none, or all, to receive every topic (also topics added later).',
  frequency: 'How often',
  daily: 'Every day',
  weekly: 'Once a week, the week’s top stories, on',
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
  } satisfies Record<Weekday, string>,
});

const S = PREFERENCES_STRINGS;

/** The form's fields (without the <form> element), showing `current`. */
export function renderPreferenceFields(current: EffectivePreferences, choices: PreferenceChoices): SafeHtml {
  const chosen = (category: string): boolean => !current.categories || current.categories.includes(category);
  const topics = choices.categories.length
    ? markup`<fieldset><legend>${S.topics}</legend>${choices.categories.map(
        (c, i) =>
          markup`<label for="pref-c${i}"><input id="pref-c${i}" type="checkbox" name="categories" value="${c}"${chosen(c) ? markup` checked` : ''}> <bdi>${c}</bdi></label>`,
      )}<p class="muted">${S.topicsHint}</p></fieldset>`
    : '';
  const weekly = current.frequency === 'weekly';
  return markup`${topics}<fieldset><legend>${S.frequency}</legend>
<label for="pref-daily"><input id="pref-daily" type="radio" name="frequency" value="daily"${weekly ? '' : markup` checked`}> ${S.daily}</label>
<label for="pref-weekly"><input id="pref-weekly" type="radio" name="frequency" value="weekly"${weekly ? markup` checked` : ''}> ${S.weekly}</label>
<label for="pref-weekday">${S.weekday}</label><select id="pref-weekday" name="weekday">${WEEKDAYS.map(
    (d) => markup`<option value="${d}"${d === current.weekday ? markup` selected` : ''}>${S.weekdays[d]}</option>`,
  )}</select></fieldset>
<label for="pref-max">${S.maxStories}</label><input id="pref-max" type="number" name="maxStories" min="${MAIL_STORIES_BOUNDS.min}" max="${MAIL_STORIES_BOUNDS.max}" value="${current.maxStories}">
`;
}

/** "every topic, every day, at most 30 stories a mail" in words, for the page that confirms a save. */
export function describePreferences(p: EffectivePreferences): string {
  const topics = p.categories ? p.categories.join(', ') : 'every topic';
  const when = p.frequency === 'weekly' ? `once a week on ${S.weekdays[p.weekday]}` : 'every day';
  return `${topics}, ${when}, at most ${p.maxStories} ${p.maxStories === 1 ? 'story' : 'stories'} a mail`;
}
