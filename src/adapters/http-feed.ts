import type { FeedFetcher } from '../domain/intake/feed-watch.ts';

/*
 * Fetches a watched feed over HTTP(S) with Node's fetch: a bounded time and size, http(s) only
 * (the URL is an admin's setting, never text from a mail or a visitor).
 */

const TIMEOUT_MS = 20_000;
const MAX_FEED_BYTES = 5 * 1024 * 1024;

/** The {@link FeedFetcher} over HTTP. */
export function httpFeedFetcher(): FeedFetcher {
  return {
    async fetchFeed(url) {
      const parsed = new URL(url);
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('Kun http- og https-adresser kan følges');
      const response = await fetch(parsed, {
        signal: AbortSignal.timeout(TIMEOUT_MS),
        headers: { accept: 'application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5', 'user-agent': 'Raadssvar' },
      });
      if (!response.ok) throw new Error(`Feedet svarede ${response.status}`);
      const declared = Number(response.headers.get('content-length') ?? '0');
      if (declared > MAX_FEED_BYTES) throw new Error('Feedet er større end 5 MB');
      const chunks: Buffer[] = [];
      let size = 0;
      const reader = response.body?.getReader();
      for (let next = await reader?.read(); reader && next && !next.done; next = await reader.read()) {
        const chunk = next.value;
        size += chunk.length;
        if (size > MAX_FEED_BYTES) {
          await reader.cancel();
          throw new Error('Feedet er større end 5 MB');
        }
        chunks.push(Buffer.from(chunk));
      }
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
