/**
 * The digest email: golden text and HTML for a fixed digest (UPDATE_GOLDEN=1 rewrites them),
 * plus the properties mail clients depend on.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { buildMime, digestSubject, renderDigestEmail } from '../../src/email';
import type { Digest } from '../../src/types';
import { expectGolden } from '../helpers/golden';

const FIXTURE = path.join(__dirname, 'fixtures', 'digest');
const digest = JSON.parse(readFileSync(path.join(FIXTURE, 'digest.json'), 'utf8')) as Digest;
const links = {
  webUrl: 'https://digest.example.org/2026/11/29/',
  unsubscribeUrl: 'https://digest.example.org/api/unsubscribe?token=abc.def',
  siteUrl: 'https://digest.example.org',
};

const golden = (name: string, actual: string): void => expectGolden(path.join(FIXTURE, name), actual);

describe('renderDigestEmail', () => {
  const mail = renderDigestEmail(digest, links);

  it('matches the golden text and HTML', () => {
    golden('expected.txt', mail.text);
    golden('expected.html', mail.html);
    golden('expected-subject.txt', mail.subject + '\n');
  });

  it('has a one-line subject with the date and the top story', () => {
    expect(mail.subject).toBe('Morning Digest — Nov 29, 2026: Harbor Bridge reopens to traffic after 18-month rebuild');
    const long = { ...digest, stories: [{ ...digest.stories[0], title: `Line\r\nbreak ${'word '.repeat(80)}` }] };
    const subject = digestSubject(long);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject.length).toBeLessThanOrEqual(180);
    expect(subject.endsWith('…')).toBe(true);
  });

  it('marks each story with its own lang and dir, right-aligned for Arabic', () => {
    expect(mail.html).toMatch(/<td class="bg-card px rule" lang="ar" dir="rtl" align="right"[^>]*text-align:right/);
    expect(mail.html).toMatch(/<td class="bg-card px rule" lang="en" dir="ltr" align="left"/);
    expect(mail.html).toContain('<html lang="en" dir="ltr"');
  });

  it('is built for mail clients: 600 px tables, inline styles, dark-mode hints, no scripts', () => {
    expect(mail.html).toContain('width="600"');
    expect(mail.html).toContain('max-width:600px');
    expect(mail.html).toContain('role="presentation"');
    expect(mail.html).toContain('<meta name="color-scheme" content="light dark">');
    expect(mail.html).toContain('@media (prefers-color-scheme: dark)');
    expect(mail.html).toContain('<!--[if mso]>');
    // Every visible element carries its own style (clients that drop <style> still render it).
    for (const tag of mail.html.replace(/<!--\[if mso\]>.*?<!\[endif\]-->/g, '').match(/<(p|h1|h2|a|td)\b[^>]*>/g) ?? [])
      expect(tag).toMatch(/style="/);
    expect(mail.html).not.toMatch(/<script|<img|href="javascript:/i);
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(Buffer.byteLength(mail.html)).toBeLessThan(100_000);
  });

  it('links the web version and the unsubscribe page visibly, in both parts', () => {
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain(links.webUrl);
      expect(part).toContain(links.unsubscribeUrl);
    }
    expect(mail.html).toMatch(/>Unsubscribe<\/a>/);
  });

  it('points to the web version for stories beyond the email limit', () => {
    const many = {
      ...digest,
      stories: Array.from({ length: 5 }, (_, i) => ({ ...digest.stories[0], id: `s${i}`, title: `Story ${i}` })),
    };
    const capped = renderDigestEmail(many, links, { maxStories: 2 });
    expect(capped.html).toContain('3 more stories on the web');
    expect(capped.text).toContain(`3 more stories: ${links.webUrl}`);
    expect(capped.html).not.toContain('Story 2');
  });

  it('becomes multipart/alternative MIME with the subject RFC 2047-encoded', async () => {
    const arabicFirst = { ...digest, stories: [digest.stories[1], digest.stories[0]] };
    const m = renderDigestEmail(arabicFirst, links);
    const raw = await buildMime({
      from: 'Digest <d@example.org>',
      to: 'r@example.org',
      subject: m.subject,
      text: m.text,
      html: m.html,
      label: 'x',
    });
    const head = raw.toString('latin1').split('\r\n\r\n')[0];
    expect(head).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/m);
    expect(head).toMatch(/Content-Type: multipart\/alternative/);
    expect(
      raw
        .toString('latin1')
        .split('\r\n')
        .every((l) => l.length <= 998),
    ).toBe(true);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(m.subject);
    expect(parsed.text).toContain('عقد صفقة دفاع');
    expect(parsed.html).toContain('dir="rtl"');
  });
});
