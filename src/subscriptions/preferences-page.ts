/**
 * The "Change what you receive" page's parts: the form's fields (rendered by
 * `render/preference-fields`, shared with the site's subscribe form) and the sentence that
 * confirms a save. The form posts back to the same signed link: the token is the proof that the
 * reader holds the mail.
 */
import type { Chrome } from '../i18n';
import { renderPreferenceFields, weekdayName } from '../render/preference-fields';
import type { SafeHtml } from '../render/html';
import {
  MAIL_STORIES_BOUNDS,
  WEEKDAYS,
  type EffectivePreferences,
  type PreferenceChoices,
  type PreferencesProblem,
} from './preferences';

/** What the site's subscribe form and the preferences page offer, for the renderer. */
export const fieldChoices = (choices: PreferenceChoices) => ({
  categories: choices.categories,
  weekdays: WEEKDAYS,
  minStories: MAIL_STORIES_BOUNDS.min,
  maxStories: MAIL_STORIES_BOUNDS.max,
});

/** The form's fields, showing `current`. */
export const preferenceFields = (current: EffectivePreferences, choices: PreferenceChoices, t: Chrome): SafeHtml =>
  renderPreferenceFields(current, fieldChoices(choices), t);

/** "every topic, every day, at most 30 stories a mail" in the chrome's words, for the page that confirms a save. */
export function describePreferences(p: EffectivePreferences, t: Chrome): string {
  return t.text('prefSummary', {
    topics: p.categories ? p.categories.join(t.text('listSeparator')) : t.text('prefEveryTopic'),
    when: p.frequency === 'weekly' ? t.text('prefWeeklyOn', { weekday: weekdayName(p.weekday, t) }) : t.text('prefEveryDay'),
    stories: t.count('prefStoriesPerMail', p.maxStories),
  });
}

/** Why a form's choices were refused, in the chrome's words. */
export function preferencesProblem(problem: PreferencesProblem, t: Chrome): string {
  switch (problem) {
    case 'frequency':
      return t.text('prefBadFrequency');
    case 'weekday':
      return t.text('prefBadWeekday', { first: weekdayName(WEEKDAYS[0], t), last: weekdayName(WEEKDAYS[6], t) });
    case 'max-stories':
      return t.text('prefBadMaxStories', { min: MAIL_STORIES_BOUNDS.min, max: MAIL_STORIES_BOUNDS.max });
  }
}
