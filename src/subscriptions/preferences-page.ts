/**
 * The "Change what you receive" page's parts: the form's fields (rendered by
 * `render/preference-fields`, shared with the site's subscribe form) and the sentence that
 * confirms a save. The form posts back to the same signed link: the token is the proof that the
 * reader holds the mail.
 */
import { PREFERENCES_STRINGS, renderPreferenceFields } from '../render/preference-fields';
import type { SafeHtml } from '../render/html';
import { MAIL_STORIES_BOUNDS, WEEKDAYS, type EffectivePreferences, type PreferenceChoices } from './preferences';

export { PREFERENCES_STRINGS };

/** What the site's subscribe form and the preferences page offer, for the renderer. */
export const fieldChoices = (choices: PreferenceChoices) => ({
  categories: choices.categories,
  weekdays: WEEKDAYS,
  minStories: MAIL_STORIES_BOUNDS.min,
  maxStories: MAIL_STORIES_BOUNDS.max,
});

/** The form's fields, showing `current`. */
export const preferenceFields = (current: EffectivePreferences, choices: PreferenceChoices): SafeHtml =>
  renderPreferenceFields(current, fieldChoices(choices));

/** "every topic, every day, at most 30 stories a mail" in words, for the page that confirms a save. */
export function describePreferences(p: EffectivePreferences): string {
  const topics = p.categories ? p.categories.join(', ') : 'every topic';
  const when = p.frequency === 'weekly' ? `once a week on ${PREFERENCES_STRINGS.weekdays[p.weekday]}` : 'every day';
  return `${topics}, ${when}, at most ${p.maxStories} ${p.maxStories === 1 ? 'story' : 'stories'} a mail`;
}
