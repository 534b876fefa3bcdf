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
