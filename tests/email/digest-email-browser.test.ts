/**
 * The digest email's HTML rendered by headless chromium (a stand-in for WebKit/Blink-based mail
 * clients such as Apple Mail and Gmail's web view): the Arabic story lays out right-to-left,
 * the column is 600 px on a desktop and fits a phone without sideways scrolling, and dark mode
 * switches the card colours. Screenshots land in test-artifacts/ for review.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { renderDigestEmail } from '../../src/email';
import type { Digest } from '../../src/types';
import { ARTIFACTS, launchBrowser } from '../browser/harness';

const links = {
  webUrl: 'https://digest.example.org/2026/11/29/',
  unsubscribeUrl: 'https://digest.example.org/api/unsubscribe?token=abc.def',
  siteUrl: 'https://digest.example.org',
};

describe('digest email in a browser engine', () => {
  it('lays out RTL stories, a 600 px column, a phone width and dark mode', async () => {
    const digest = JSON.parse(await readFile(path.join(__dirname, 'fixtures', 'digest', 'digest.json'), 'utf8')) as Digest;
    const { html } = renderDigestEmail(digest, links);
    await mkdir(ARTIFACTS, { recursive: true });
    const browser = await launchBrowser();
    try {
      const desktop = await browser.newPage({
        viewport: { width: 900, height: 900 },
        colorScheme: 'light',
        javaScriptEnabled: false,
      });
      // Offline: any request the mail would make (images, fonts) fails and shows up here.
      const requests: string[] = [];
      await desktop.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.abort();
      });
      await desktop.setContent(html);
      const layout = await desktop.evaluate(() => {
        const ar = document.querySelector('td[lang="ar"]') as HTMLElement;
        const en = document.querySelector('td[lang="en"]') as HTMLElement;
        const container = document.querySelector('table.container') as HTMLElement;
        const title = ar.querySelector('h2') as HTMLElement;
        return {
          arDirection: getComputedStyle(ar).direction,
          arAlign: getComputedStyle(ar).textAlign,
          enDirection: getComputedStyle(en).direction,
          containerWidth: container.getBoundingClientRect().width,
          // In RTL the title hugs the right edge of its cell.
          titleRightGap: ar.getBoundingClientRect().right - title.getBoundingClientRect().right,
          cardColor: getComputedStyle(en).backgroundColor,
        };
      });
      expect(layout).toMatchObject({
        arDirection: 'rtl',
        arAlign: 'right',
        enDirection: 'ltr',
        containerWidth: 600,
        cardColor: 'rgb(255, 255, 255)',
      });
      expect(layout.titleRightGap).toBeLessThanOrEqual(40);
      expect(requests).toEqual([]);
      await desktop.screenshot({ path: path.join(ARTIFACTS, 'email-digest-light.png'), fullPage: true });

      const phone = await browser.newPage({
        viewport: { width: 360, height: 740 },
        colorScheme: 'dark',
        javaScriptEnabled: false,
      });
      await phone.setContent(html);
      const small = await phone.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        cardColor: getComputedStyle(document.querySelector('td[lang="en"]') as HTMLElement).backgroundColor,
        textColor: getComputedStyle(document.querySelector('td[lang="en"] p.fg') as HTMLElement).color,
      }));
      expect(small.scrollWidth).toBeLessThanOrEqual(360);
      expect(small.cardColor).toBe('rgb(28, 32, 38)');
      expect(small.textColor).toBe('rgb(230, 233, 237)');
      await phone.screenshot({ path: path.join(ARTIFACTS, 'email-digest-dark-phone.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 30_000);
});
