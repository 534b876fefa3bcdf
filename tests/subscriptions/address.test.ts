import { addressIdentity, maskAddress, MAX_ADDRESS_LENGTH, normalizeAddress } from '../../src/subscriptions';

describe('normalizeAddress', () => {
  it('trims, lower-cases the domain and keeps the local part', () => {
    expect(normalizeAddress('  Ann.Lee+news@Example.COM \t')).toEqual({
      ok: true,
      address: 'Ann.Lee+news@example.com',
      display: 'Ann.Lee+news@example.com',
    });
  });

  it('converts an internationalized domain to punycode and shows it in Unicode', () => {
    const r = normalizeAddress('leser@Bücher.Example');
    expect(r).toEqual({ ok: true, address: 'leser@xn--bcher-kva.example', display: 'leser@bücher.example' });
    expect(normalizeAddress('user@مثال.إختبار')).toMatchObject({ ok: true, address: 'user@xn--mgbh0fb.xn--kgbechtv' });
  });

  it('identifies addresses case-insensitively', () => {
    const a = normalizeAddress('Ann@Example.com');
    const b = normalizeAddress('ann@example.COM');
    if (!a.ok || !b.ok) throw new Error('expected valid');
    expect(addressIdentity(a.address)).toBe(addressIdentity(b.address));
  });

  it.each([
    ['a@b.com\r\nBcc: victim@example.com', 'control-characters'],
    ['a@b.com\nX: y', 'control-characters'],
    ['a\u0000@b.com', 'control-characters'],
    ['a@b.com\u202e', 'control-characters'],
    ['', 'missing'],
    ['   ', 'missing'],
    [undefined, 'missing'],
    [42, 'missing'],
    ['plainaddress', 'syntax'],
    ['@example.com', 'syntax'],
    ['a@', 'syntax'],
    ['a@b@c.com', 'syntax'],
    ['a b@c.com', 'syntax'],
    ['a..b@c.com', 'local-part'],
    ['.a@c.com', 'local-part'],
    ['"quoted"@c.com', 'local-part'],
    ['üser@c.com', 'local-part'],
    ['a@localhost', 'domain'],
    ['a@-bad.com', 'domain'],
    ['a@bad-.com', 'domain'],
    ['a@b_c.com', 'domain'],
    ['a@[192.0.2.1]', 'domain'],
    ['a@192.0.2.1', 'domain'],
    ['a@exa..mple.com', 'domain'],
    [`${'a'.repeat(65)}@example.com`, 'too-long'],
    [`a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(60)}.com`, 'too-long'],
    [`a@${'b'.repeat(64)}.com`, 'domain'],
  ])('refuses %j (%s)', (input, problem) => {
    const r = normalizeAddress(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem).toBe(problem);
      expect(r.message.length).toBeGreaterThan(5);
    }
  });

  it('accepts an address of exactly the maximum length', () => {
    const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`;
    const local = 'a'.repeat(MAX_ADDRESS_LENGTH - domain.length - 1);
    expect(local.length).toBeLessThanOrEqual(64);
    const r = normalizeAddress(`${local}@${domain}`);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.address.length).toBe(MAX_ADDRESS_LENGTH);
  });
});

describe('maskAddress', () => {
  it('masks every occurrence, whatever the case', () => {
    expect(maskAddress('550 <Ann.Lee+x@example.org>: ann.lee+X@EXAMPLE.org unknown', 'Ann.Lee+x@example.org')).toBe(
      '550 <<subscriber>>: <subscriber> unknown',
    );
  });
});

describe('normalizeAddress: the reason given and the boundaries', () => {
  const MESSAGES = {
    missing: 'Enter an email address.',
    control: 'The address contains line breaks or control characters.',
    spaces: 'An email address cannot contain spaces.',
    syntax: 'That does not look like an email address (name@example.com).',
    localLong: 'The part before @ has at most 64 characters.',
    local: "The part before @ may only use letters A–Z, digits and . ! # $ % & ' * + / = ? ^ _ ` { | } ~ -.",
    literal: 'Address literals such as [192.0.2.1] are not accepted.',
    domain: 'The part after @ is not a valid domain name.',
    long: 'An email address has at most 254 characters.',
  };
  it.each([
    [null, 'missing', MESSAGES.missing],
    [' \t ', 'missing', MESSAGES.missing],
    // A line break is refused even at the end, where trimming would have removed it.
    ['a@example.com\n', 'control-characters', MESSAGES.control],
    ['\r\na@example.com', 'control-characters', MESSAGES.control],
    ['a@exam\u200bple.com', 'control-characters', MESSAGES.control],
    ['a\u007f@example.com', 'control-characters', MESSAGES.control],
    ['a @example.com', 'syntax', MESSAGES.spaces],
    ['a@exa\u00a0mple.com', 'syntax', MESSAGES.spaces],
    ['a.example.com', 'syntax', MESSAGES.syntax],
    ['@example.com', 'syntax', MESSAGES.syntax],
    ['a@', 'syntax', MESSAGES.syntax],
    ['a@b@example.com', 'syntax', MESSAGES.syntax],
    [`${'a'.repeat(65)}@example.com`, 'too-long', MESSAGES.localLong],
    ['a..b@example.com', 'local-part', MESSAGES.local],
    ['a.@example.com', 'local-part', MESSAGES.local],
    ['a(b)@example.com', 'local-part', MESSAGES.local],
    ['a@[192.0.2.1]', 'domain', MESSAGES.literal],
    ['a@example', 'domain', MESSAGES.domain],
    ['a@example.123', 'domain', MESSAGES.domain],
    ['a@example.1', 'domain', MESSAGES.domain],
    ['a@xn--a.example', 'domain', MESSAGES.domain],
    ['a@.', 'domain', MESSAGES.domain],
    [`a@${'b'.repeat(64)}.com`, 'domain', MESSAGES.domain],
    // More than twice the limit is refused before any other check; just under it, the domain is what is wrong.
    [`a@${'b'.repeat(507)}`, 'too-long', MESSAGES.long],
    [`a@${'b'.repeat(506)}`, 'domain', MESSAGES.domain],
    [`a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(60)}.com`, 'too-long', MESSAGES.long],
  ])('refuses %j as %s, saying so', (input, problem, message) => {
    expect(normalizeAddress(input)).toEqual({ ok: false, problem, message });
  });

  it.each([
    ['a trailing dot after the domain', 'reader@Example.org.', 'reader@example.org'],
    ['a local part of exactly 64 characters', `${'a'.repeat(64)}@example.org`, `${'a'.repeat(64)}@example.org`],
    ['every allowed special character', "a!#$%&'*+/=?^_`{|}~-.b@example.org", "a!#$%&'*+/=?^_`{|}~-.b@example.org"],
    ['a label of exactly 63 characters', `a@${'b'.repeat(63)}.org`, `a@${'b'.repeat(63)}.org`],
    ['digits in the domain, not in the last label', 'a@1.2.example', 'a@1.2.example'],
    // Only an all-digit last label looks like an IP address.
    ['a last label starting with a digit', 'a@example.3com', 'a@example.3com'],
    ['a last label ending with a digit', 'a@example.com2', 'a@example.com2'],
  ])('accepts %s', (_name, input, address) => {
    expect(normalizeAddress(input)).toEqual({ ok: true, address, display: address });
  });
});

describe('maskAddress: exact matches only', () => {
  it('treats the address literally, not as a pattern, and leaves text alone for an empty address', () => {
    expect(maskAddress('a.b@example.org and axb@example.org', 'a.b@example.org')).toBe('<subscriber> and axb@example.org');
    expect(maskAddress('(a+b)@example.org was refused', '(a+b)@example.org')).toBe('<subscriber> was refused');
    expect(maskAddress('550 unknown user', '')).toBe('550 unknown user');
  });
});
