/** The one redaction of URLs for everything that leaves state/. */
import { isSecretParam, redactText, redactUrl } from '../../src/http/redact';

describe('redactUrl', () => {
  it.each([
    ['https://user:pa%40ss@feeds.example.org/world.xml', 'https://feeds.example.org/world.xml'],
    ['https://example.org/feed?token=abc&page=2', 'https://example.org/feed?token=***&page=2'],
    [
      'https://example.org/f?api_key=1&apikey=2&access_token=3&auth=4&secret=5&sig=6&signature=7&password=8',
      'https://example.org/f?api_key=***&apikey=***&access_token=***&auth=***&secret=***&sig=***&signature=***&password=***',
    ],
    [
      'https://example.org/f?Private-Token=x&feed_key=y&X-Amz-Signature=z',
      'https://example.org/f?Private-Token=***&feed_key=***&X-Amz-Signature=***',
    ],
    ['https://example.org/f?keyword=news&monkey=1&tokens=2', 'https://example.org/f?keyword=news&monkey=1&tokens=2'],
    ['https://example.org/a%20b?x=1#part', 'https://example.org/a%20b?x=1#part'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('cleans what does not parse as a URL by pattern, without looping', () => {
    expect(redactUrl('http://[bad/feed?token=abc&x=1')).toBe('http://[bad/feed?token=***&x=1');
    expect(redactUrl('http://u:p@[bad')).toBe('http://[bad');
  });

  it('knows secret parameter names, and not their lookalikes', () => {
    for (const name of ['token', 'KEY', 'api-key', 'client_secret', 'x-amz-credential', 'session'])
      expect(isSecretParam(name)).toBe(true);
    for (const name of ['keyword', 'page', 'monkey', 'tokens', 'q']) expect(isSecretParam(name)).toBe(false);
  });
});

describe('redactText', () => {
  it('redacts every URL in a message and strips userinfo of any scheme', () => {
    expect(redactText('GET https://a:b@h.org/f?token=1 failed; retry ftp://u:p@x/ later')).toBe(
      'GET https://h.org/f?token=*** failed; retry ftp://x/ later',
    );
    expect(redactText('Bad redirect Location: http://[bad/feed?token=abc')).toBe(
      'Bad redirect Location: http://[bad/feed?token=***',
    );
  });
});

describe('redactUrl: exact forms', () => {
  it.each([
    // Nothing to mask: the query keeps its exact spelling (not re-serialized).
    ['https://example.org/f?q=a%20b&tags=x,y', 'https://example.org/f?q=a%20b&tags=x,y'],
    // Something masked: the query is re-serialized, other values kept.
    ['https://example.org/f?q=news&token=abc', 'https://example.org/f?q=news&token=***'],
    ['http://user:pw@example.org:8080/f', 'http://example.org:8080/f'],
    ['HTTPS://Example.ORG/feed', 'https://example.org/feed'],
    ['https://example.org/f?session=s1&sid=s2&jwt=j&pwd=p', 'https://example.org/f?session=***&sid=***&jwt=***&pwd=***'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('cleans a URL of another scheme by pattern, keeping its form', () => {
    expect(redactUrl('ftp://u:p@Files.example.org/x?token=1&a=2')).toBe('ftp://Files.example.org/x?token=***&a=2');
    expect(redactUrl('feed://u:p@example.org/x?key=1')).toBe('feed://example.org/x?key=***');
  });

  it('masks secrets by pattern after any separator, up to where the URL ends', () => {
    expect(redactUrl('http://[bad/f;key=abc;x=1')).toBe('http://[bad/f;key=***;x=1');
    expect(redactUrl('http://[bad/f?a=1&token=abc def')).toBe('http://[bad/f?a=1&token=*** def');
    expect(redactUrl('http://[bad/f?token="abc"')).toBe('http://[bad/f?token=***"abc"');
    expect(redactUrl('http://[bad/f?token=abc#frag')).toBe('http://[bad/f?token=***#frag');
  });
});

describe('redactText: finding the URLs', () => {
  it.each([
    ['fetch of HTTP://H.example.org?token=1 failed', 'fetch of http://h.example.org/?token=*** failed'],
    ['fetch of http://h.example.org?token=1 failed', 'fetch of http://h.example.org/?token=*** failed'],
    [
      '"https://h.example.org?key=1" and <https://h.example.org?key=2>',
      '"https://h.example.org/?key=***" and <https://h.example.org/?key=***>',
    ],
    ["'https://h.example.org?key=1'", "'https://h.example.org/?key=***'"],
    ['no URL here', 'no URL here'],
  ])('%s → %s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});
