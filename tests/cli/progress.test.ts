import { createProgress } from '../../src/cli/progress';

const fakeStream = (isTTY: boolean): NodeJS.WriteStream & { out: string } => {
  const s = {
    isTTY,
    columns: 60,
    out: '',
    write(chunk: string) {
      s.out += chunk;
      return true;
    },
  };
  return s as unknown as NodeJS.WriteStream & { out: string };
};

describe('progress', () => {
  const saved = process.env.CI;
  beforeEach(() => delete process.env.CI);
  afterAll(() => {
    if (saved !== undefined) process.env.CI = saved;
  });

  it('writes one plain line per feed and article when not on a terminal', () => {
    const s = fakeStream(false);
    const p = createProgress(s);
    p.onEvent({ type: 'stage', stage: 'feeds', total: 2 });
    p.onEvent({
      type: 'feed',
      url: 'u1',
      name: 'Gazette',
      status: 'ok',
      errorClass: 'parse',
      warning: 'Truncated XML: <rss> and 0 more elements never closed; 3 complete items kept',
      itemsNew: 3,
    });
    p.onEvent({
      type: 'feed',
      url: 'u2',
      name: 'Bad\u202Eevil\nname',
      status: 'error',
      errorClass: 'timeout',
      error: 'Timed out',
      itemsNew: 0,
    });
    p.onEvent({ type: 'stage', stage: 'articles', total: 1 });
    p.onEvent({ type: 'article', url: 'a', title: 'A story', contentSource: 'page' });
    p.done();
    expect(s.out).not.toContain('\r');
    expect(s.out.split('\n')).toEqual(
      expect.arrayContaining([
        '[feeds 1/2] Gazette: 3 new (Truncated XML: <rss> and 0 more elements never closed; 3 complete items kept)',
        '[feeds 2/2] Bad evil name: FAILED timeout: Timed out',
        '[articles 1/1] page: A story',
      ]),
    );
    expect(s.out).not.toContain('\u202E');
  });

  it('counts articles apart from feeds when they are fetched together: done out of the new items announced so far', () => {
    const s = fakeStream(false);
    const p = createProgress(s);
    p.onEvent({ type: 'stage', stage: 'feeds', total: 2 });
    p.onEvent({ type: 'feed', url: 'u1', name: 'Gazette', status: 'ok', itemsNew: 2 });
    p.onEvent({ type: 'article', url: 'a', title: 'First', contentSource: 'page' });
    p.onEvent({ type: 'feed', url: 'u2', name: 'Wire', status: 'ok', itemsNew: 1 });
    p.onEvent({ type: 'article', url: 'b', title: 'Second', contentSource: 'page' });
    p.onEvent({ type: 'article', url: 'c', title: 'Third', contentSource: 'feed' });
    p.done();
    expect(s.out.split('\n').filter(Boolean)).toEqual([
      '== feeds (2)',
      '[feeds 1/2] Gazette: 2 new',
      '[articles 1/2] page: First',
      '[feeds 2/2] Wire: 1 new',
      '[articles 2/3] page: Second',
      '[articles 3/3] feed text: Third',
    ]);
  });

  it('redraws a single line on a terminal, keeps failures on their own lines, and clears at the end', () => {
    const s = fakeStream(true);
    const p = createProgress(s);
    p.onEvent({ type: 'stage', stage: 'feeds', total: 2 });
    p.onEvent({ type: 'feed', url: 'u1', name: 'Gazette', status: 'ok', itemsNew: 3 });
    p.onEvent({
      type: 'feed',
      url: 'u2',
      name: 'Broken',
      status: 'error',
      errorClass: 'http-4xx',
      error: 'HTTP 404',
      itemsNew: 0,
    });
    p.done();
    expect(s.out).toContain('\r\x1b[2K[feeds 1/2] Gazette: 3 new');
    expect(s.out).toContain('  ✗ Broken — FAILED http-4xx: HTTP 404\n');
    expect(s.out.endsWith('\r\x1b[2K')).toBe(true);
  });
});
