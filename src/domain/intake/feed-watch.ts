import { parseFeed } from '@rowanmanning/feed-parser';
import sanitizeHtml from 'sanitize-html';
import type { Db } from '../../db/database.ts';
import {
  decideSuggestion,
  finishFeedPoll,
  insertFeedSuggestion,
  leaseFeedWatch,
  listEnabledFeedCouncils,
  lockSuggestion,
  type FoundHearing,
} from '../../db/repositories/intake.ts';
import type { Logger } from '../../logger.ts';
import { roleIn, type Actor } from '../access/actor.ts';
import { deadlineInstant, registerArrivedConsultation } from '../consultations/arrivals.ts';
import { AppError, notFound } from '../errors.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { danishDate, type Clock } from '../time.ts';
import { findDeadline } from './deadline-finder.ts';

/*
 * The watch of Høringsportalen's feed: the hearings the state publishes (Atom; RSS reads too),
 * filtered per council by keywords and authorities, become suggestions in the council's queue.
 * The secretary accepts one (a registered consultation with the hearing's link, authority and
 * deadline, waiting like a mail for the deadline to be confirmed) or dismisses it. Each hearing is
 * suggested to a council once.
 */

/** Fetches a feed's XML (src/adapters/http-feed.ts). */
export interface FeedFetcher {
  fetchFeed(url: string): Promise<string>;
}

export interface FeedWatchDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  jobs: Jobs;
  config: { sessionSecret: string };
  feeds: FeedFetcher;
}

const LEASE_MS = 10 * 60_000;
const MAX_SUMMARY_CHARS = 5000;

const plain = (html: string | null) =>
  sanitizeHtml(html ?? '', { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/[ \t]+/g, ' ')
    .trim();

/** The hearings in a feed's XML, with the deadline each states. Throws on XML that is no feed. */
export function hearingsIn(xml: string, reference: Date): (FoundHearing & { categories: string[] })[] {
  const feed = parseFeed(xml);
  return feed.items.flatMap((item) => {
    const title = plain(item.title);
    if (!title) return [];
    const summary = plain(item.content ?? item.description).slice(0, MAX_SUMMARY_CHARS);
    const found = findDeadline(`${summary}\n${title}`, reference);
    const link = item.url && /^https?:\/\//i.test(item.url) ? item.url : null;
    return [
      {
        entryId: (item.id ?? link ?? title).slice(0, 500),
        title: title.slice(0, 300),
        link,
        authority:
          item.authors
            .map((a) => a.name?.trim())
            .find(Boolean)
            ?.slice(0, 300) ?? null,
        summary: summary || null,
        deadline: deadlineInstant(found) ?? null,
        deadlineSentence: found?.sentence ?? null,
        publishedAt: item.published ?? item.updated ?? null,
        categories: item.categories.map((c) => (c.label ?? c.term ?? '').trim()).filter(Boolean),
      },
    ];
  });
}

/**
 * Whether a hearing is for the council: it names one of the keywords (anywhere in a word, so
 * "integration" finds "integrationsindsatsen") or comes from one of the authorities. A watch with
 * neither takes every hearing.
 */
export function hearingMatches(hearing: FoundHearing & { categories: string[] }, watch: { keywords: string[]; authorities: string[] }): boolean {
  if (watch.keywords.length === 0 && watch.authorities.length === 0) return true;
  const text = [hearing.title, hearing.summary ?? '', hearing.authority ?? '', ...hearing.categories].join('\n').toLocaleLowerCase('da');
  if (watch.keywords.some((k) => text.includes(k.toLocaleLowerCase('da')))) return true;
  const authority = (hearing.authority ?? '').toLocaleLowerCase('da');
  return authority !== '' && watch.authorities.some((a) => authority.includes(a.toLocaleLowerCase('da')));
}

/** What one poll of a watch did. */
export interface FeedPollResult {
  councilId: number;
  polled: boolean;
  suggested: number;
  error: string | null;
}

/** Polls one council's watch unless another process is: new matching hearings become suggestions. */
export async function pollFeedWatch(deps: FeedWatchDeps, councilId: number): Promise<FeedPollResult> {
  const result: FeedPollResult = { councilId, polled: false, suggested: 0, error: null };
  const now = deps.clock();
  const watch = await leaseFeedWatch(deps.db, councilId, now, new Date(now.getTime() + LEASE_MS));
  if (!watch) return result;
  result.polled = true;
  try {
    const xml = await deps.feeds.fetchFeed(watch.url);
    let hearings: ReturnType<typeof hearingsIn>;
    try {
      hearings = hearingsIn(xml, now);
    } catch {
      throw new Error('Adressen gav ikke et Atom- eller RSS-feed');
    }
    for (const hearing of hearings.filter((h) => hearingMatches(h, watch))) {
      if (await insertFeedSuggestion(deps.db, councilId, hearing)) result.suggested += 1;
    }
  } catch (error) {
    result.error = error instanceof Error && !(error instanceof TypeError) ? error.message : 'Feedet kunne ikke hentes';
    deps.logger.warn({ councilId, reason: result.error }, 'feed watch poll failed');
  } finally {
    await finishFeedPoll(deps.db, councilId, { error: result.error, at: deps.clock() });
  }
  return result;
}

/** Polls every switched-on watch (the intake job). */
export async function pollAllFeedWatches(deps: FeedWatchDeps): Promise<FeedPollResult[]> {
  const results: FeedPollResult[] = [];
  for (const councilId of await listEnabledFeedCouncils(deps.db)) results.push(await pollFeedWatch(deps, councilId));
  return results;
}

/**
 * The secretary accepts a suggested hearing: it becomes a registered consultation of the council
 * (the hearing's link, authority and deadline, the deadline waiting for confirmation). Returns its id.
 */
export async function acceptSuggestion(deps: Omit<FeedWatchDeps, 'feeds' | 'logger'>, actor: Actor, id: number): Promise<string> {
  return deps.db.transaction().execute(async (tx) => {
    const suggestion = await lockSuggestion(tx, id);
    if (!suggestion || (!actor.isAdmin && roleIn(actor, suggestion.council_id) !== 'secretary')) throw notFound('Forslaget findes ikke');
    if (suggestion.status !== 'pending') throw new AppError('CONFLICT', 'Forslaget er allerede behandlet');
    const now = deps.clock();
    const consultationId = await registerArrivedConsultation(
      tx,
      { ...deps, sessionSecret: deps.config.sessionSecret },
      {
        councilId: suggestion.council_id,
        source: 'feed',
        title: suggestion.title,
        authority: suggestion.authority ?? 'Høringsportalen',
        authorityEmail: null,
        summary: suggestion.summary,
        sourceUrl: suggestion.link,
        receivedOn: danishDate(now),
        deadline: suggestion.deadline ? { instant: suggestion.deadline, sentence: suggestion.deadline_sentence ?? '' } : undefined,
        files: [],
      },
    );
    await decideSuggestion(tx, id, { status: 'accepted', by: actor.userId, at: now, consultationId });
    return consultationId;
  });
}

/** The secretary dismisses a suggested hearing: it is not suggested again. */
export async function dismissSuggestion(deps: { db: Db; clock: Clock }, actor: Actor, id: number): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    const suggestion = await lockSuggestion(tx, id);
    if (!suggestion || (!actor.isAdmin && roleIn(actor, suggestion.council_id) !== 'secretary')) throw notFound('Forslaget findes ikke');
    if (suggestion.status !== 'pending') throw new AppError('CONFLICT', 'Forslaget er allerede behandlet');
    await decideSuggestion(tx, id, { status: 'dismissed', by: actor.userId, at: deps.clock(), consultationId: null });
  });
}
