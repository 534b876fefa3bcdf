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
