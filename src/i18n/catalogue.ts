/** The shape every language's catalogue has: exactly the English keys, strings where English has strings, plural forms where it has plural forms. */
import type { en } from './en';
import type { PluralMessage } from './plural';

export type Catalogue = { readonly [K in keyof typeof en]: (typeof en)[K] extends string ? string : PluralMessage };

/** Keys of plain messages. */
export type TextKey = { [K in keyof Catalogue]: Catalogue[K] extends string ? K : never }[keyof Catalogue];

/** Keys of messages with plural forms (they take a count). */
export type CountKey = Exclude<keyof Catalogue, TextKey>;
