/** What the configuration lets readers choose, for the site's subscribe form and the endpoint. */
import type { Config } from '../config/schema';
import type { SubscribeChoices } from '../render/layout';
import { categoriesOf, MAIL_STORIES_BOUNDS, WEEKDAYS, type PreferenceChoices } from './preferences';

export const preferenceChoicesOf = (config: Config): PreferenceChoices => ({
  categories: categoriesOf(config.feeds),
  defaultMaxStories: config.digest.maxStories,
});

/** The subscribe form's choices; the form's default story count is the digest's size, within the bounds. */
export function subscribeChoicesOf(config: Config): SubscribeChoices {
  const { categories, defaultMaxStories } = preferenceChoicesOf(config);
  return {
    categories,
    weekdays: WEEKDAYS,
    minStories: MAIL_STORIES_BOUNDS.min,
    maxStories: MAIL_STORIES_BOUNDS.max,
    defaultMaxStories: Math.min(MAIL_STORIES_BOUNDS.max, Math.max(MAIL_STORIES_BOUNDS.min, defaultMaxStories)),
  };
}
