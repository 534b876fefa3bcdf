import * as cheerio from 'cheerio';
import { boundHtml } from '../../src/http/html-bounds';

describe('boundHtml', () => {
  it('leaves ordinary pages untouched', () => {
    const html =
      '<!doctype html><html><head><script>if (a<b) x()</script></head><body><p>One<p>Two<ul><li>a<li>b</ul><br><img src=x></body></html>';
    expect(boundHtml(html)).toBe(html);
  });

  // Not timed (speed is for benchmarks, never unit tests): these check the shape that keeps it fast.
  it('flattens nesting beyond the limit, so cheerio never builds 100,000 levels', () => {
    const depth = 100_000;
    const html = `<html><body>${'<div>'.repeat(depth)}deep text${'</div>'.repeat(depth)}<p>after</p></body></html>`;
    const bounded = boundHtml(html, { maxDepth: 200 });
    const $ = cheerio.load(bounded);
    expect($('div').length).toBeLessThanOrEqual(200);
    expect($('body').text()).toContain('deep text');
    expect($('p').text()).toBe('after');
  });

  it('passes many unmatched "<" through as they are (one scan, no backtracking over them)', () => {
    const html = '<p>' + '<a '.repeat(200_000);
    expect(boundHtml(html)).toBe(html);
  });

  it('cuts pages over maxChars', () => {
    expect(boundHtml('x'.repeat(100), { maxChars: 10 })).toBe('x'.repeat(10));
  });
});

describe('boundHtml: what is kept, exactly', () => {
  it.each([
    // Beyond the depth, start tags go and so do the end tags that no longer match anything open.
    ['<div><div><div>x</div></div></div>', 2, '<div><div>x</div></div>'],
    // An end tag closes everything opened inside its element.
    ['<div><span><i>x</div><b><u>y</u></b>', 2, '<div><span>x</div><b><u>y</u></b>'],
    // An end tag for an element that is not open is dropped.
    ['<p>a</b>c</p>', 5, '<p>ac</p>'],
    // Tag names are case-insensitive.
    ['<DIV><div></DIV>x</div>', 5, '<DIV><div></DIV>x</div>'],
    // Void elements and self-closing tags open nothing.
    [
      '<br><img src=x><hr><input><meta charset=utf-8><link rel=x>',
      1,
      '<br><img src=x><hr><input><meta charset=utf-8><link rel=x>',
    ],
    ['<x-a/><x-b/><x-c/>', 1, '<x-a/><x-b/><x-c/>'],
    // A <p> or <li> ends the open one of the same name.
    ['<ul><li>a<li>b<li>c</ul>', 2, '<ul><li>a<li>b<li>c</ul>'],
    ['<select><option>a<option>b<option>c</select>', 2, '<select><option>a<option>b<option>c</select>'],
    ['<div><p>a<p>b</div>', 2, '<div><p>a<p>b</div>'],
    // …but not an open one of another name.
    ['<ul><li>a<p>b<li>c</ul>', 2, '<ul><li>ab<li>c</ul>'],
    // What raw-text elements hold is not markup.
    ['<div><script>x<div>y<div>z</script><p>after</p></div>', 2, '<div><script>x<div>y<div>z</script><p>after</p></div>'],
    ['<div><STYLE>a<b<c>d</Style><p>e</p></div>', 2, '<div><STYLE>a<b<c>d</Style><p>e</p></div>'],
    ['<title>a<div><div>', 1, '<title>a<div><div>'],
    // A raw-text element beyond the depth loses its tags, its text stays.
    ['<div><script>x</script>y</div>', 1, '<div>xy</div>'],
    // Comments hold no markup either.
    ['<div><!-- <div><div> --><p>x</p></div>', 2, '<div><!-- <div><div> --><p>x</p></div>'],
    ['<div><!-- <div><div>', 1, '<div><!-- <div><div>'],
    // "<" that starts no tag is text.
    ['<div>1 < 2 <3 <-x <</div>', 1, '<div>1 < 2 <3 <-x <</div>'],
    ['<div><a1:b-c><div>', 1, '<div>'],
    ['<div><<div>x', 1, '<div><x'],
    // Each raw-text element ends at its own end tag.
    [
      '<div><script>a</script><script>b<div></script><p>c</p></div>',
      2,
      '<div><script>a</script><script>b<div></script><p>c</p></div>',
    ],
    // The scan goes on after a comment, and a comment ends at the first "-->" after its "<!--".
    ['<!-- c --><div><div>x', 1, '<!-- c --><div>x'],
    ['<!-- <b--><div>x</div>', 1, '<!-- <b--><div>x</div>'],
    ['<p>a--><!-- b --><div><div>c</p>', 2, '<p>a--><!-- b --><div>c</p>'],
    // A "<" with no ">" after it ends the scan.
    ['<div><div', 1, '<div><div'],
  ])('%s (maxDepth %i) → %s', (html, maxDepth, expected) => {
    expect(boundHtml(html, { maxDepth })).toBe(expected);
  });

  it('keeps 200 levels by default and flattens the 201st', () => {
    const nested = (n: number): string => `${'<div>'.repeat(n)}x${'</div>'.repeat(n)}`;
    expect(boundHtml(nested(200))).toBe(nested(200));
    expect(boundHtml(nested(201))).toBe(nested(200));
  });

  it('keeps 3,000,000 characters by default', () => {
    const text = 'x'.repeat(3_000_000);
    expect(boundHtml(text)).toBe(text);
    expect(boundHtml(`${text}y`)).toBe(text);
  });

  it('cuts first, then bounds what is left', () => {
    expect(boundHtml('<div><div>xyz</div></div>', { maxDepth: 1, maxChars: 13 })).toBe('<div>xyz');
  });
});

describe('boundHtml: one linear pass', () => {
  // Not timed: a scan that went character by character, or rescanned for a ">" from every "<",
  // would take hours on these (and fail by the test timeout).
  it('jumps from "<" to "<" over long text, before, between and after tags and comments', () => {
    const text = 'plain text '.repeat(300_000);
    const html = `${text}<!-- c -->${text}< ${text}<p>${text}</p>${text}`;
    expect(boundHtml(html, { maxChars: html.length })).toBe(html);
  });

  it('stops at the first "<" that has no ">" after it', () => {
    const html = `<p>x</p>${'<a '.repeat(1_000_000)}`;
    expect(boundHtml(html, { maxChars: html.length })).toBe(html);
  });
});
