/**
 * The mail one reader gets today, as a digest to render: their edition (the day's, or on their
 * weekday the week's), cut to their topics and number of stories, with the page it comes from.
 * Pure; the deliverer calls it once per subscriber.
 */
import { chromeFor } from '../i18n';
import type { Digest, WeeklyEdition } from '../types';
import { weekPath } from '../render/weekly';
import { dayPageUrl } from './links';
import { editionFor, type EditionKind, type PreferenceChoices, type Preferences } from './preferences';

export type ReaderMail =
  | { send: true; kind: EditionKind; digest: Digest; webUrl: string }
  /** `failed`: the reader should have had a mail and could not (the week could not be read); retried by the next run. */
  | { send: false; kind: EditionKind; reason: string; failed: boolean };

export function readerMail(
  subscriber: { preferences?: Preferences },
  digest: Digest,
  editions: { weekly?: WeeklyEdition },
  context: {
    choices: PreferenceChoices;
    siteUrl: string;
    /** Language of the chrome (digest.lang), for the weekly mail's title. */
    lang: string;
  },
): ReaderMail {
  const chosen = editionFor(subscriber, { daily: digest, weekly: editions.weekly }, digest.date, context.choices);
  if (!chosen.send)
    return { send: false, kind: chosen.kind, reason: chosen.reason, failed: chosen.reason === 'no-weekly-edition' };
  if (chosen.kind === 'daily') {
    return {
      send: true,
      kind: 'daily',
      digest: { ...digest, stories: chosen.stories },
      webUrl: dayPageUrl(context.siteUrl, digest.date),
    };
  }
  // The mail's edition is filed under the ISO week of its last day: that week's page is its web version.
  const week = editions.weekly!.week;
  return {
    send: true,
    kind: 'weekly',
    digest: { ...digest, title: chromeFor(context.lang).text('weekMailTitle', { title: digest.title }), stories: chosen.stories },
    webUrl: `${context.siteUrl.replace(/\/+$/, '')}/${weekPath(week)}/`,
  };
}
