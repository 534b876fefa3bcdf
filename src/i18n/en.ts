/**
 * The English catalogue: it defines every key of the chrome (the words around the stories on the
 * pages, in the mails, on the subscription pages and in the feeds). Every other language must have
 * the same keys (`Catalogue`, a type error otherwise) with the same `{placeholders}`.
 *
 * A message is a string, or plural forms chosen by `Intl.PluralRules` for `{count}` (CLDR
 * categories: `zero`, `one`, `two`, `few`, `many`, `other`; `other` is required).
 */
import type { PluralMessage } from './plural';

export const en = {
  // Page shell (src/render/layout.ts)
  skipToContent: 'Skip to content',
  siteNavigation: 'Site',
  navLatest: 'Latest',
  navArchive: 'Archive',
  navFeed: 'Feed',
  searchAllDigests: 'Search all digests',
  searchButton: 'Search',
  madeBy: 'Made by rss-digest',
  atomFeed: 'Atom feed',
  jsonFeed: 'JSON Feed',
  atomFeedTitle: '{title} (Atom)',
  jsonFeedTitle: '{title} (JSON Feed)',
  subscribeHeading: 'Get this digest by email',
  subscribeLabel: 'Your email address (we send a confirmation link first)',
  subscribeButton: 'Subscribe',

  // Daily page (src/render/daily.ts)
  topStories: 'Top stories',
  moreStories: 'More stories',
  untitled: 'Untitled',
  unknownSource: 'Unknown source',
  byline: 'by {names}',
  readingMinutes: { one: '{count} min read', other: '{count} min read' },
  fromFeedText: 'summary from feed text',
  updateLabel: 'Update:',
  updateOf: 'update of a story of {date}',
  storyCount: { one: '{count} story', other: '{count} stories' },
  feedCount: { one: '{count} feed', other: '{count} feeds' },
  dayCount: { one: '{count} day', other: '{count} days' },
  storiesFromFeeds: '{stories} from {feeds}',
  updatedAt: 'updated {time} {zone}',
  sentenceEnd: '.',
  sectionsNavigation: 'Sections',
  daysNavigation: 'Days',
  previousDay: '← Previous day',
  everyDay: 'Every day',
  noNewStories: 'No new stories today.',
  feedsFailedToday: { one: '{count} feed of {total} failed today', other: '{count} feeds of {total} failed today' },
  pageTitle: '{title} — {date}',
  pageDescription: '{title}: {stories} on {date}.',
  imageAlt: 'Picture: {title}',

  // Story sources (src/render/story-sources.ts)
  sourceCount: { one: '{count} source', other: '{count} sources' },
  sourcesLine: '{sources}: {names}',
  moreSources: '+{count} more',
  listSeparator: ', ',

  // Outage notice (src/render/publish.ts)
  outageNoEarlier: 'Feeds could not be reached at {time}; there is no earlier digest to show yet.',
  outageToday: "Feeds could not be reached at {time}; this is today's digest.",
  outageWeekday: "Feeds could not be reached at {time}; this is {weekday}'s digest.",
  outageDate: 'Feeds could not be reached at {time}; this is the digest of {date}.',

  // Archive, search and 404 pages (src/render/archive.ts, src/render/search-script.ts)
  archiveHeading: 'Archive',
  archiveTitle: 'Archive — {title}',
  archiveDescription: 'Every {title} digest.',
  archiveCounts: '{days}, {stories}.',
  searchThemAll: 'Search them all',
  noDigestsYet: 'No digests yet.',
  searchHeading: 'Search',
  searchTitle: 'Search — {title}',
  searchEveryDigest: 'Search every digest (English, Arabic, Hebrew and more)',
  searchNeedsScript: 'Search runs in your browser and needs JavaScript. The {archive} lists every day.',
  searchArchiveLink: 'archive',
  searchPrompt: 'Type a word to search every digest.',
  searching: 'Searching…',
  searchFound: { one: '{count} story found.', other: '{count} stories found.' },
  searchFoundFirst: {
    one: '{count} story found, showing the first {max}.',
    other: '{count} stories found, showing the first {max}.',
  },
  searchNothing: 'No stories found.',
  searchFailed: 'The search index could not be loaded. The archive lists every day.',
  notFoundHeading: 'Page not found',
  notFoundTitle: 'Page not found — {title}',
  notFoundText: 'There is no digest page at this address. The {latest} and the {archive} list every day.',
  notFoundLatest: 'latest digest',
  notFoundArchive: 'archive',

  // Atom and JSON feeds (src/render/feeds.ts)
  feedSubtitle: '{title}: one entry per day',
  feedEntrySummary: '{stories}: {titles}',
  feedEntryEmpty: '{stories}.',

  // Digest mail (src/email/digest-email.ts)
  mailSubject: '{title} — {date}',
  mailSubjectTop: '{title} — {date}: {top}',
  mailCountLine: '{stories} from {sources}',
  mailReadOnWeb: 'Read it on the web',
  mailReadArticle: 'Read the article',
  mailEverySource: 'Every source',
  mailUpdatePrefix: 'Update: ',
  mailMoreStories: { one: '{count} more story', other: '{count} more stories' },
  mailMoreOnWeb: '{more} on the web',
  mailWebVersion: 'Web version',
  mailWhy: 'You receive this because you subscribed to {title}.',
  mailUnsubscribe: 'Unsubscribe',
  mailPreferences: 'Change what you receive',

  // Confirmation and notice mails (src/email/notice-email.ts)
  confirmSubject: 'Confirm your subscription to {title}',
  confirmLead:
    'Someone (hopefully you) asked to receive {title} by email every day. Confirm with the button below; the link works for 7 days.',
  confirmButton: 'Confirm my subscription',
  confirmAfter: 'If you did not ask for this, ignore this mail: without confirmation you will not hear from us again.',
  alreadySubject: 'You are already subscribed to {title}',
  alreadyLead:
    'Someone (hopefully you) asked to subscribe this address to {title}. It already receives the digest, so nothing changed.',
  alreadyAfter: 'If you want to keep receiving the digest, ignore this mail.',

  // Subscription endpoint pages (src/subscriptions/handler.ts)
  requestTooLarge: 'Request too large',
  requestTooLargeText: 'A request may carry at most {bytes} bytes.',
  notUnderstood: 'Not understood',
  sendFormOrJson: 'Send the form as application/x-www-form-urlencoded or JSON.',
  jsonDuplicateKey: 'Each key may appear only once in the JSON object.',
  jsonNotObject: 'The request body must be a JSON object such as {"email": "name@example.com"}.',
  linkBroken: 'This link does not work',
  confirmLinkBroken: 'This confirmation link is invalid or has expired. You can subscribe again from the digest page.',
  unsubscribeLinkBroken: 'This unsubscribe link is invalid or has expired. You can subscribe again from the digest page.',
  preferencesLinkBroken: 'This link to your choices is invalid or has expired. Use the link in your latest digest mail.',
  checkAddress: 'Check the address',
  oneAddressOnly: 'Send exactly one email address.',
  addressMissing: 'Enter an email address.',
  addressTooLong: 'That email address is too long.',
  addressControlCharacters: 'The address contains line breaks or control characters.',
  addressSyntax: 'That does not look like an email address (name@example.com).',
  addressLocalPart: 'The part before @ contains characters an email address cannot have.',
  addressDomain: 'The part after @ is not a valid domain name.',
  minutes: { one: 'a minute', other: '{count} minutes' },
  alreadyOnItsWay: 'Already on its way',
  alreadyOnItsWayText:
    'A confirmation mail for this address was sent a few minutes ago. Check your inbox (and spam folder), or try again in {wait}.',
  tryAgainLater: 'Please try again later',
  tooManyFromClient: 'Too many subscriptions from your network just now. Please try again in {wait}.',
  tooManyOverall: 'Too many subscriptions right now. Please try again in {wait}.',
  checkInbox: 'Check your inbox',
  checkInboxText:
    'If the address can receive mail, a message is on its way. Follow the link in it to confirm your subscription to {title}.',
  mailFailedText: 'The confirmation mail could not be sent just now. Please try again in a few minutes.',
  subscribed: 'You are subscribed',
  subscribedText: 'Thank you! {title} will arrive in your inbox with the next edition. Every mail has a link to unsubscribe.',
  confirmPrompt: 'Confirm your subscription',
  confirmPromptText: 'Press the button to receive {title} by email.',
  confirmPromptButton: 'Confirm subscription',
  unsubscribePrompt: 'Unsubscribe?',
  unsubscribePromptText: 'Press the button to stop receiving {title} by email.',
  unsubscribeButton: 'Unsubscribe',
  unsubscribed: 'You are unsubscribed',
  unsubscribedText: 'This address will not receive {title} any more. You can subscribe again at any time from the digest page.',
  notFound: 'Not found',
  notFoundEndpointText: 'There is nothing at this address.',
  notAllowed: 'Not allowed',
  notAllowedText: 'Use {methods} here.',
  somethingWentWrong: 'Something went wrong',
  somethingWentWrongText: 'Please try again later.',
} satisfies Record<string, string | PluralMessage>;

/** Every message key (the English catalogue defines them). */
export type MessageKey = keyof typeof en;
