import { createHash } from 'node:crypto';
import { STATES } from '../workflows/consultation.machine.ts';
import { councilSlug, RARE_TITLE_WORD, WEB_SEED, type BenchRole } from './web-seed.ts';

/** The kinds of request the web benchmark reports on, each on its own. */
export const PAGE_TYPES = ['queue', 'consultation', 'overview', 'draft', 'transition', 'calendar'] as const;
export type PageType = (typeof PAGE_TYPES)[number];

/** What a simulated user does next; a write is a consultation page and then one of its forms. */
export type Action = 'queue' | 'consultation' | 'overview' | 'write' | 'calendar';

/** How often a user of each role is the one making the next request (weights). */
export const ROLE_SHARE: Record<BenchRole, number> = { secretary: 30, chair: 20, member: 30, staff: 15, admin: 5 };

/**
 * What each role does (weights): the queue about half the time, consultation pages about a third
 * (a write opens the page first), the overview only staff and admins, writes only secretaries
 * and chairs, a calendar program fetching the user's feed now and then.
 */
export const ROLE_ACTIONS: Record<BenchRole, Partial<Record<Action, number>>> = {
  secretary: { queue: 48, consultation: 22, write: 12, calendar: 5 },
  chair: { queue: 50, consultation: 30, write: 8, calendar: 5 },
  member: { queue: 55, consultation: 40, calendar: 5 },
  staff: { queue: 45, consultation: 30, overview: 20, calendar: 5 },
  admin: { queue: 50, consultation: 30, overview: 15, calendar: 5 },
};

/** One of the keys of `weights`, with the chance of its weight; `random` returns [0, 1). */
export function pickWeighted<K extends string>(weights: Partial<Record<K, number>>, random: () => number = Math.random): K {
  const entries = Object.entries(weights) as Array<[K, number]>;
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let point = random() * total;
  for (const [key, weight] of entries) {
    if (point < weight) return key;
    point -= weight;
  }
  return entries.at(-1)![0];
}

/** The share of each page type in the requests of the whole mix, as the weights make it (a write counts its page view too). */
export function expectedShares(): Record<PageType, number> {
  const shares: Record<PageType, number> = { queue: 0, consultation: 0, overview: 0, draft: 0, transition: 0, calendar: 0 };
  const roleTotal = Object.values(ROLE_SHARE).reduce((a, b) => a + b, 0);
  let requests = 0;
  for (const [role, roleWeight] of Object.entries(ROLE_SHARE) as Array<[BenchRole, number]>) {
    const actions = ROLE_ACTIONS[role];
    const total = Object.values(actions).reduce((a, b) => a + (b ?? 0), 0);
    for (const [action, weight] of Object.entries(actions) as Array<[Action, number]>) {
      const p = (roleWeight / roleTotal) * (weight / total);
      if (action === 'write') {
        shares.consultation += p;
        // A secretary's write is a draft save or a transition about equally often; a chair's a transition.
        if (role === 'secretary') {
          shares.draft += p / 2;
          shares.transition += p / 2;
        } else shares.transition += p;
        requests += 2 * p;
      } else {
        shares[action] += p;
        requests += p;
      }
    }
  }
  for (const type of PAGE_TYPES) shares[type] /= requests;
  return shares;
}

/** Words people search for: common ones, a council's number, a rare word and one that matches nothing. */
export const SEARCH_TERMS = [
  'budget',
  'lokalplan',
  'Sundhedspolitik',
  'beskæftigelse',
  'nr. 12',
  RARE_TITLE_WORD,
  'integrationsstrategi 2026',
  'zzyzx',
];

const FILTER_STATES: readonly string[] = STATES;

/** A queue address as the queue's filter form makes it: no filter, a state, a council, a search, mine, due soon, or two at once. */
export function queueUrl(councils: readonly string[], random: () => number = Math.random): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const params = new URLSearchParams();
  const shape = pickWeighted({ none: 30, state: 15, council: 15, search: 17, mine: 5, due: 10, combined: 8 }, random);
  const council = councils.length > 0 ? pick(councils) : councilSlug(1 + Math.floor(random() * WEB_SEED.councils));
  if (shape === 'state' || shape === 'combined') params.set('state', pick(FILTER_STATES));
  if (shape === 'council' || shape === 'combined') params.set('council', council);
  if (shape === 'search' || (shape === 'combined' && random() < 0.5)) params.set('q', pick(SEARCH_TERMS));
  if (shape === 'mine') params.set('mine', '1');
  if (shape === 'due') params.set('due', random() < 0.5 ? 'week' : 'overdue');
  const query = params.toString();
  return query ? `/?${query}` : '/';
}

/**
 * The id of consultation number `i` of the web seed (bench/web-seed.ts: `md5('web-consultation-' || i)::uuid`):
 * the benchmark picks pages by number without asking the database.
 */
export function consultationId(i: number): string {
  const hex = createHash('md5').update(`web-consultation-${i}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The number of the `k`-th newest consultation of the council with 0-based index `council`, or
 * undefined when that one does not exist at `size` consultations.
 */
export function consultationNumber(council: number, k: number, size: number): number | undefined {
  const i = k * WEB_SEED.councils + council;
  return i < size ? i : undefined;
}

/** The seed's kind of the k-th newest consultation of a council: open kinds 0–5 by k, where kind 0 is unassigned. */
export function isUnassignedWhenSeeded(k: number): boolean {
  return k < WEB_SEED.openPerCouncil && k % 6 === 0;
}
