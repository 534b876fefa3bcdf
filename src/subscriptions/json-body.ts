/**
 * JSON request bodies, read strictly: JSON.parse decides the syntax, and a key repeated within one
 * object is refused. JSON.parse silently keeps the last of `{"email": "a@x", "email": "b@y"}`,
 * while a proxy or firewall in front of us may have judged the first: one body must not mean two
 * things.
 */

export type JsonBodyResult = { ok: true; value: unknown } | { ok: false; problem: 'syntax' | 'duplicate-key' };

export async function parseJsonBody(text: string): Promise<JsonBodyResult> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'syntax' };
  }
  return (await hasUniqueKeys(text)) ? { ok: true, value } : { ok: false, problem: 'duplicate-key' };
}

/**
 * Whether every object in a JSON text has each key once. The `yaml` package (already ours, for
 * config files) reads any JSON text and reports repeated keys, escapes decoded ("email" and
 * "\u0065mail" are one key); it is loaded on first use, so the HTML form's urlencoded posts and
 * the Lambda's cold start do not pay for it. A text it cannot vouch for counts as not unique.
 */
async function hasUniqueKeys(text: string): Promise<boolean> {
  const { parseDocument } = await import('yaml');
  // JSON.parse has vetted the syntax already, so the schema does not matter; only repeated keys can be reported.
  // Stryker disable next-line ObjectLiteral: uniqueKeys: true is also yaml's default; it is spelled out because the check relies on it
  return parseDocument(text, { uniqueKeys: true }).errors.length === 0;
}
