/**
 * Storage and site delivery: the access-log bucket, the one store bucket (site/ + state/), and
 * CloudFront serving site/ through OAC with strict security headers.
 *
 * Like every construct of the stack, it creates its resources in the stack's own scope, so their
 * CloudFormation logical IDs are those of the single-file stack they were split from: a new
 * logical ID would make CloudFormation replace the bucket (and orphan the subscribers in it).
 */
import { Annotations, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Config } from '../src/config';
import { imageSources } from '../src/render/image-policy';
import { acknowledge } from './acknowledge';

/** Store prefixes the stack itself names (the layout is in src/store/index.ts; per-function access in STORE_ACCESS). */
export const PREFIXES = {
  site: 'site/',
  articles: 'state/articles/',
  runs: 'state/runs/',
  stories: 'state/stories/',
  failures: 'state/runs/failures/',
  limits: 'state/limits/',
} as const;

/**
 * The site's Content-Security-Policy: only its own files, forms only to itself, and images from
 * article sites (any https: origin) only when the pages show lead images (config site.images.page).
 */
export const siteCsp = (images: boolean): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${imageSources(images)}`,
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    'upgrade-insecure-requests',
  ].join('; ');

/** The policy with the default configuration (lead images on the pages). */
export const SITE_CSP = siteCsp(true);

export interface StoreAndSiteProps {
  config: Config;
}

export class StoreAndSite extends Construct {
  /** Access logs of the store and of the distribution. */
  readonly accessLogs: s3.Bucket;
  /** The one store: site/ and state/. */
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** Public base URL of the site, without a trailing slash: `site.url`, else the distribution's own domain. */
  readonly siteUrl: string;
  /** The site's Content-Security-Policy for this configuration. */
  private readonly csp: string;

  constructor(scope: Construct, id: string, props: StoreAndSiteProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config } = props;
    this.csp = siteCsp(config.site.images.page);

    // Access logs of the bucket and the distribution; ACLs stay enabled (BucketOwnerPreferred) only because
    // CloudFront standard logging still delivers through them. Bounded: 90 days.
    this.accessLogs = new s3.Bucket(stack, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.accessLogs, [
      { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket itself; logging it into itself would loop.' },
    ]);

    // The one store: site/ (public through CloudFront only) and state/ (never public). Versioned because
    // state/subscribers/ and state/feeds/ are not reproducible; noncurrent versions expire after 30 days
    // so the history bounds its own cost. Raw article records and run reports expire per config.
    this.bucket = new s3.Bucket(stack, 'Store', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 's3/',
      lifecycleRules: [
        { id: 'expire-article-records', prefix: PREFIXES.articles, expiration: Duration.days(config.retention.articleDays) },
        { id: 'expire-run-reports', prefix: PREFIXES.runs, expiration: Duration.days(config.retention.reportDays) },
        // Sign-up windows are an hour long: a client's file left untouched for 2 days holds nothing that counts.
        { id: 'expire-signup-limits', prefix: PREFIXES.limits, expiration: Duration.days(2) },
        // Story fingerprints are read back for digest.cluster.memoryDays days; kept as long as the articles they came from.
        {
          id: 'expire-story-memory',
          prefix: PREFIXES.stories,
          expiration: Duration.days(Math.max(config.retention.articleDays, config.digest.cluster.memoryDays + 1)),
        },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.distribution = this.createDistribution(stack);
    this.siteUrl = config.site.url?.replace(/\/+$/, '') ?? `https://${this.distribution.distributionDomainName}`;
  }

  /**
   * The subscription endpoint on the site's own origin: /api/* goes to the HTTP API, so the subscribe
   * form posts to the same origin (CSP form-action 'self').
   */
  addApi(api: apigw.HttpApi): void {
    this.distribution.addBehavior(
      '/api/*',
      new origins.HttpOrigin(apiHost(api), {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      }),
      {
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        // The endpoint's own pages set their CSP; the policy adds the other headers without overriding it.
        responseHeadersPolicy: responseHeadersPolicy(Stack.of(this), 'ApiHeaders', this.csp, false),
      },
    );
  }

  /** CloudFront serves only site/ (origin path) through OAC, and may read nothing else of the bucket. */
  private createDistribution(stack: Stack): cloudfront.Distribution {
    const securityHeaders = responseHeadersPolicy(stack, 'SiteHeaders', this.csp, true);
    // Directory URLs → index.html ("/2026/11/29/"), and "/2026/11/29" redirected to its slash form.
    const indexRewrite = new cloudfront.Function(stack, 'IndexRewrite', {
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'rss-digest: serve index.html for folder URLs',
      code: cloudfront.FunctionCode.fromInline(INDEX_REWRITE_FUNCTION),
    });
    // The origin sees the bucket through a read-only view, so CDK does not add its usual bucket-wide
    // (bucket/*) OAC grant; the statement below grants CloudFront site/* and nothing else.
    const siteBucketView = s3.Bucket.fromBucketAttributes(stack, 'SiteBucketView', {
      bucketArn: this.bucket.bucketArn,
      bucketName: this.bucket.bucketName,
      bucketRegionalDomainName: this.bucket.bucketRegionalDomainName,
    });
    const siteOrigin = origins.S3BucketOrigin.withOriginAccessControl(siteBucketView, {
      originPath: '/site',
      originAccessLevels: [cloudfront.AccessLevel.READ],
    });
    // Cheapest price class (NA + Europe edges); HTTP→HTTPS; compression; logs to the access-log bucket.
    const distribution = new cloudfront.Distribution(stack, 'Site', {
      comment: 'rss-digest site',
      defaultRootObject: 'index.html',
      // S3 answers 403 for a missing key (OAC has no ListBucket): readers get the site's 404 page instead.
      // The subscription API never answers 403, so this rewrites only missing site pages.
      errorResponses: [{ httpStatus: 403, responseHttpStatus: 404, responsePagePath: '/404.html', ttl: Duration.minutes(5) }],
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.accessLogs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: siteOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        compress: true,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        functionAssociations: [{ function: indexRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
    });
    acknowledge(distribution, [
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate fixes the viewer minimum at TLSv1; with a custom domain and ACM certificate set TLSv1.2_2021.',
      },
      { id: 'AwsSolutions-CFR1', reason: 'A public news digest: no geographic restriction is wanted.' },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'Static files and a throttled endpoint; WAF (~$6+/month) is optional hardening, not required.',
      },
    ]);
    // CloudFront (this distribution only, via OAC) may read site/*; state/ stays out of its reach.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontReadsSiteOnly',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${PREFIXES.site}*`)],
        conditions: {
          StringEquals: {
            'AWS:SourceArn': stack.formatArn({
              service: 'cloudfront',
              region: '',
              resource: 'distribution',
              resourceName: distribution.distributionId,
            }),
          },
        },
      }),
    );
    Annotations.of(stack).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      'Deliberate: the bucket policy grants CloudFront site/* only (statement CloudFrontReadsSiteOnly).',
    );
    return distribution;
  }
}

/** The HTTP API's host name, from its endpoint URL (https://<host>). */
function apiHost(api: apigw.HttpApi): string {
  return Fn.select(2, Fn.split('/', api.apiEndpoint));
}

function responseHeadersPolicy(scope: Stack, id: string, csp: string, overrideCsp: boolean): cloudfront.ResponseHeadersPolicy {
  // Strict browser security headers on every response (CSP, HSTS 2 years, nosniff, no framing, no referrer leak).
  return new cloudfront.ResponseHeadersPolicy(scope, id, {
    comment: `rss-digest ${id}`,
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: csp, override: overrideCsp },
      strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
    },
  });
}

/** CloudFront Function (JS 2.0 runtime): folder URLs get their index.html. */
export const INDEX_REWRITE_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
    return request;
  }
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: uri + '/' }, 'cache-control': { value: 'max-age=3600' } } };
  }
  return request;
}
`;
