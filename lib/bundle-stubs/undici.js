// Bundling stub (see lib/handlers.ts): cheerio requires undici only for cheerio.fromURL, which
// rss-digest never calls (every request goes through src/http's fetcher). Loading succeeds; using it fails loudly.
'use strict';
class Client {
  constructor() {
    throw new Error('undici is not bundled into rss-digest functions (cheerio.fromURL is not used)');
  }
}
module.exports = { Client, interceptors: {}, errors: {} };
