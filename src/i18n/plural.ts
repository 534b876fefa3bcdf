/** Plural forms of a message, picked by `Intl.PluralRules` of the chrome's language (CLDR rules). */
export type PluralCategory = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';

/** `other` is required; a language lists the categories its plural rules use (Arabic all six, Japanese only `other`). */
export type PluralMessage = { readonly other: string } & { readonly [C in Exclude<PluralCategory, 'other'>]?: string };
