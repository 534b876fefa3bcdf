/*
 * No imports: the CDK app reads this too (the CloudFront response headers policy), and the stack
 * pulls in no runtime code.
 */
/**
 * The `img-src` sources a site page needs: its own files, plus any `https:` origin when lead images
 * are shown. Images come from every article site, a set that changes daily, so no host list can
 * name them; `https:` lets no plain-http (or `data:`) image in, and with images off nothing remote is.
 */
export const imageSources = (images: boolean): string => (images ? "'self' https:" : "'self'");
