/** rss-digest as a library: the pure core plus the pipeline that composes it. */
export { extractArticle } from './extract';
export { clusterArticles, type ArticleToCluster, type ArticleCluster, type ClusterOptions } from './cluster';
export { summarize, splitSentences, createSummarizer, type Summarizer, type SummarizeOptions } from './summarize';
export { parseFeed, inspectFeed, parseFeedDate, type FeedView, type FeedEntryView } from './feeds';
export { discoverFeeds, type FeedCandidate } from './feeds/discover';
export { checkFeed, type FeedHealth } from './feeds/check';
export { createItemFilter, type FilterRule } from './feeds/filters';
export { toOpml } from './feeds/opml-export';
export { createFetcher, FetchError, type Fetcher } from './http';
export { parseConfig, parseConfigText, loadConfigFile, ConfigError, type Config } from './config';
export { FsStore, S3Store, type Store } from './store';
export { publishDigest } from './render';
export { runDigest, runFetchStage, runPublishStage, type RunSummary } from './pipeline';
export { detectLang, dirForLang } from './lang';
export { createDigestDeliverer, createChannelDeliverer } from './delivery';
export { createSubscriptionEndpointFromConfig } from './subscriptions';
export type * from './types';
