export { FeedConfigSchema, type FeedConfig, type FeedConfigInput } from './config.js';
export { FeedManager, type FeedLeases, type FeedManagerOptions, type FeedSample } from './manager.js';
export { Feed, type FeedStatus, type KeepLast, type Publish } from './feed.js';
export { nmeaChecksum } from './nmea.js';
