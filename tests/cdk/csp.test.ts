/** The Content-Security-Policy lets remote pictures in only when the pages show lead images. */
import { localSitePolicy } from '../../src/cli/serve';
import { siteCsp } from '../../lib/store-and-site';

describe('img-src of the site policy', () => {
  it('allows https: pictures (never data: or http:) only with site.images.page on', () => {
    expect(siteCsp(true)).toContain("img-src 'self' https:;");
    expect(siteCsp(false)).toContain("img-src 'self';");
    for (const policy of [siteCsp(true), siteCsp(false), localSitePolicy(true), localSitePolicy(false)]) {
      expect(policy).not.toMatch(/data:|http:/);
    }
    expect(localSitePolicy(true)).toContain("img-src 'self' https:;");
    expect(localSitePolicy(false)).toContain("img-src 'self';");
  });
});
