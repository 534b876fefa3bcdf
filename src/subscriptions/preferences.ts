/**
 * What each reader chose to receive, without an account: topics (the config's `feeds[].category`
 * values), how often (every day, or once a week on a weekday of their choice) and how many stories
 * a mail may hold. Kept in the subscriber's record; a record without choices gets every topic,
 * daily, `digest.maxStories` stories.
 *
 * Pure: `editionFor` decides, from the subscriber and the day's editions, what (if anything) that
 * reader is mailed today.
 */
import type { DigestStory } from '../types';

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type Frequency = 'daily' | 'weekly';

/** Bounds of "at most N stories per mail". */
export const MAIL_STORIES_BOUNDS = Object.freeze({ min: 1, max: 100 });

/** As stored in the subscriber record; every field optional (absent = the default). */
export interface Preferences {
  /** Chosen categories; absent = every category, including ones added later. */
  categories?: string[];
  frequency?: Frequency;
  /** The day a weekly reader is mailed; absent with `weekly` = Monday. */
  weekday?: Weekday;
  maxStories?: number;
}

/** What the configuration offers: its categories, and the digest's own size. */
export interface PreferenceChoices {
  categories: string[];
  /** digest.maxStories: a reader's mail holds at most this many stories unless they chose fewer. */
  defaultMaxStories: number;
}

/** Without a configuration: no topics to pick, the schema's default digest size. */
export const NO_PREFERENCE_CHOICES: PreferenceChoices = Object.freeze({ categories: [], defaultMaxStories: 100 });

/** Preferences with every default filled in and stale categories dropped. */
export interface EffectivePreferences {
  /** undefined = every story, whatever its category. */
  categories?: string[];
  frequency: Frequency;
  weekday: Weekday;
  maxStories: number;
}

/** The distinct categories of the configured feeds, in config order. */
export function categoriesOf(feeds: { category?: string }[]): string[] {
  return [...new Set(feeds.map((f) => f.category).filter((c): c is string => !!c))];
}

const clampStories = (n: number): number => Math.min(MAIL_STORIES_BOUNDS.max, Math.max(MAIL_STORIES_BOUNDS.min, Math.round(n)));

/** The stored choices read against today's config; never throws, whatever the record holds. */
export function effectivePreferences(stored: Preferences | undefined, choices: PreferenceChoices): EffectivePreferences {
  const offered = new Set(choices.categories);
  const kept = Array.isArray(stored?.categories) ? stored.categories.filter((c) => offered.has(c)) : [];
  // A category removed from the config is ignored. When every chosen category is gone, the reader
  // gets everything rather than nothing: an empty mailbox would look like a broken subscription.
  const categories = kept.length > 0 && kept.length < offered.size ? kept : undefined;
  const weekday = WEEKDAYS.includes(stored?.weekday as Weekday) ? (stored!.weekday as Weekday) : 'monday';
  const maxStories =
    typeof stored?.maxStories === 'number' && Number.isFinite(stored.maxStories)
      ? clampStories(stored.maxStories)
      : clampStories(choices.defaultMaxStories);
  return { categories, frequency: stored?.frequency === 'weekly' ? 'weekly' : 'daily', weekday, maxStories };
}

/** The weekday of a YYYY-MM-DD date (a calendar date: no timezone involved). */
export function weekdayOf(date: string): Weekday {
  const sundayFirst = new Date(`${date}T12:00:00Z`).getUTCDay();
  return WEEKDAYS[(sundayFirst + 6) % 7]!;
}

export type FieldsLike = URLSearchParams | Record<string, unknown>;

/** A field's values; an absent JSON field is [undefined], read like an absent form field. */
const values = (fields: FieldsLike, name: string): unknown[] => {
  if (fields instanceof URLSearchParams) return fields.getAll(name);
  const v = fields[name];
  return Array.isArray(v) ? v : [v];
};

/** Why a form's choices were refused (the endpoint words it in the chrome's language). */
export type PreferencesProblem = 'frequency' | 'weekday' | 'max-stories';

export type ParsedPreferences = { ok: true; preferences: Preferences } | { ok: false; problem: PreferencesProblem };

/**
 * Choices from a form or JSON body (`categories` repeated or an array, `frequency`, `weekday`,
 * `maxStories`). Every field is optional; a category the config no longer offers is dropped (a form
 * left open across a config change). Defaults are not stored, so a later config change reaches
 * readers who never chose.
 */
export function parsePreferences(fields: FieldsLike, choices: PreferenceChoices): ParsedPreferences {
  // Typed to hold anything, so that any value can be looked up: only the offered strings are in it.
  const offered = new Set<unknown>(choices.categories);
  const picked = values(fields, 'categories').filter((c): c is string => offered.has(c));
  // None ticked or all ticked both mean "everything", including categories added later.
  const categories = picked.length > 0 && new Set(picked).size < offered.size ? [...new Set(picked)] : undefined;

  const [frequency] = values(fields, 'frequency');
  if (frequency !== undefined && frequency !== '' && frequency !== 'daily' && frequency !== 'weekly') {
    return { ok: false, problem: 'frequency' };
  }
  const [weekday] = values(fields, 'weekday');
  if (weekday !== undefined && weekday !== '' && !WEEKDAYS.includes(weekday as Weekday)) {
    return { ok: false, problem: 'weekday' };
  }
  const [rawMax] = values(fields, 'maxStories');
  let maxStories: number | undefined;
  if (rawMax !== undefined && rawMax !== '') {
    const n =
      typeof rawMax === 'number' ? rawMax : typeof rawMax === 'string' && /^\d{1,4}$/.test(rawMax.trim()) ? Number(rawMax) : NaN;
    if (!Number.isInteger(n) || n < MAIL_STORIES_BOUNDS.min || n > MAIL_STORIES_BOUNDS.max) {
      return { ok: false, problem: 'max-stories' };
    }
    maxStories = n === clampStories(choices.defaultMaxStories) ? undefined : n;
  }
  const weekly = frequency === 'weekly';
  const preferences: Preferences = {
    ...(categories ? { categories } : {}),
    ...(weekly ? { frequency: 'weekly' as const, weekday: (weekday || 'monday') as Weekday } : {}),
    ...(maxStories !== undefined ? { maxStories } : {}),
  };
  return { ok: true, preferences };
}

/** The stories of one edition: today's digest, or the week's ranking. */
export interface Edition {
  stories: DigestStory[];
}

export type EditionKind = 'daily' | 'weekly';

export type ReaderEdition =
  | { send: true; kind: EditionKind; stories: DigestStory[] }
  | { send: false; kind: EditionKind; reason: 'weekly-not-today' | 'no-weekly-edition' | 'no-stories-for-reader' };

/** Only the reader's categories (a story without a category reaches only readers of every category), at most their number. */
export function storiesFor(stories: DigestStory[], preferences: EffectivePreferences): DigestStory[] {
  // A story without a category is in no reader's set.
  const wanted = preferences.categories ? new Set<string | undefined>(preferences.categories) : undefined;
  const kept = wanted ? stories.filter((s) => wanted.has(s.category)) : stories;
  return kept.slice(0, preferences.maxStories);
}

/**
 * What this reader gets on `date`: a daily reader today's stories, a weekly reader the week's on
 * their weekday (nothing on the six other days); in both cases only their categories and at most
 * their number. An edition with no story for them is not sent.
 */
export function editionFor(
  subscriber: { preferences?: Preferences },
  editions: { daily: Edition; weekly?: Edition },
  date: string,
  choices: PreferenceChoices,
): ReaderEdition {
  const preferences = effectivePreferences(subscriber.preferences, choices);
  const kind: EditionKind = preferences.frequency;
  if (kind === 'weekly' && weekdayOf(date) !== preferences.weekday) return { send: false, kind, reason: 'weekly-not-today' };
  const edition = kind === 'weekly' ? editions.weekly : editions.daily;
  if (!edition) return { send: false, kind, reason: 'no-weekly-edition' };
  const stories = storiesFor(edition.stories, preferences);
  if (stories.length === 0) return { send: false, kind, reason: 'no-stories-for-reader' };
  return { send: true, kind, stories };
}
