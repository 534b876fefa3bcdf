/**
 * Email address validation and normalization for subscribers. Strict on purpose: an address
 * ends up in a mail header, so anything that could smuggle a header (CR/LF, control characters)
 * or that a mail server would reject later is refused up front with a named reason.
 */
import { domainToASCII, domainToUnicode } from 'node:url';

export type AddressProblem = 'missing' | 'too-long' | 'control-characters' | 'syntax' | 'local-part' | 'domain';

export type AddressResult =
  { ok: true; address: string; display: string } | { ok: false; problem: AddressProblem; message: string };

/** RFC 5321: a forward path holds at most 256 octets, i.e. 254 for the address itself. */
export const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;

// RFC 5322 dot-atom text. Quoted local parts and SMTPUTF8 local parts are refused: they are
// legal but rare, and SES (the deployed mailer) does not accept them.
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
// A DNS label: letters, digits and hyphens, 1 to 63 of them, no hyphen at either end.
const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// C0/C1 controls, DEL, line/paragraph separators, bidi overrides and zero-width characters.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

const fail = (problem: AddressProblem, message: string): AddressResult => ({ ok: false, problem, message });

/**
 * Validate and normalize an address: surrounding whitespace trimmed, the domain lower-cased
 * and converted to its ASCII (punycode) form; the local part kept as typed.
 * `address` is what mail is sent to; `display` shows an IDN domain in Unicode.
 */
export function normalizeAddress(input: unknown): AddressResult {
  if (typeof input !== 'string') return fail('missing', 'Enter an email address.');
  // Line breaks are refused even at the ends: they are the header-injection attempt itself.
  const trimmed = /[\r\n]/.test(input) ? input : input.trim();
  if (FORBIDDEN.test(trimmed)) return fail('control-characters', 'The address contains line breaks or control characters.');
  if (!trimmed) return fail('missing', 'Enter an email address.');
  if (trimmed.length > MAX_ADDRESS_LENGTH * 2)
    return fail('too-long', `An email address has at most ${MAX_ADDRESS_LENGTH} characters.`);
  if (/\s/.test(trimmed)) return fail('syntax', 'An email address cannot contain spaces.');
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1 || trimmed.indexOf('@') !== at) {
    return fail('syntax', 'That does not look like an email address (name@example.com).');
  }
  const local = trimmed.slice(0, at);
  const domainInput = trimmed.slice(at + 1).replace(/\.$/, '');
  if (local.length > MAX_LOCAL_LENGTH) return fail('too-long', `The part before @ has at most ${MAX_LOCAL_LENGTH} characters.`);
  if (local.split('.').some((part) => !ATEXT.test(part))) {
    return fail('local-part', "The part before @ may only use letters A–Z, digits and . ! # $ % & ' * + / = ? ^ _ ` { | } ~ -.");
  }
  if (domainInput.startsWith('[')) return fail('domain', 'Address literals such as [192.0.2.1] are not accepted.');
  const domain = domainToASCII(domainInput.normalize('NFC'));
  const labels = domain.split('.');
  // An invalid IDN comes back from domainToASCII as "", a single empty label: refused with the rest.
  if (labels.length < 2 || !labels.every((l) => LDH_LABEL.test(l)) || /^[0-9]+$/.test(labels[labels.length - 1] ?? '')) {
    return fail('domain', 'The part after @ is not a valid domain name.');
  }
  const address = `${local}@${domain}`;
  if (address.length > MAX_ADDRESS_LENGTH)
    return fail('too-long', `An email address has at most ${MAX_ADDRESS_LENGTH} characters.`);
  return { ok: true, address, display: `${local}@${domainToUnicode(domain)}` };
}

/**
 * The identity of an address for de-duplication: local parts are case-sensitive by the RFC but
 * not in practice, and two records for "Ann@x" and "ann@x" would mail one person twice.
 */
export const addressIdentity = (normalized: string): string => normalized.toLowerCase();

/** Text (a server reply, an error) with every occurrence of the address replaced, for logs and reports. */
export function maskAddress(text: string, address: string): string {
  if (!address) return text;
  const pattern = new RegExp(address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  return text.replace(pattern, '<subscriber>');
}
