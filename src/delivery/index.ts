/**
 * Delivery: the one place a published digest goes out to readers, exactly once a day per reader,
 * with bounded concurrency and a report of every failure. Mail (src/email renders it, src/subscriptions
 * keeps the subscribers) and chat channels (src/channels renders and posts) both go through
 * `deliverOnce`.
 */
export { deliverOnce, deliveryKey, DELIVERY_LEASE_MS, type DeliverOnceOptions } from './deliver-once';
export { emptyDeliveryReport, type DeliveryReport } from './report';
export { createDigestDeliverer, deliverDigest, digestMailFor, type DeliverDigestDeps, type DelivererOptions } from './mail';
export {
  createChannelDeliverer,
  deliverToChannels,
  channelClaimName,
  type ChannelDelivererOptions,
  type DeliverToChannelsDeps,
} from './channels';
