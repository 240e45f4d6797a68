import type { SearchPage } from '../../domain/search/service.ts';
import { STATE_LABELS } from './labels.ts';

/** A results page as the template shows it: the count in words, each hit's kind and link, the next page's address. */
export function presentSearchPage(page: SearchPage, query: Record<string, string | undefined>, kindLabels: Record<string, string>) {
  const next = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value && key !== 'cursor') next.set(key, value);
  if (page.nextCursor) next.set('cursor', page.nextCursor);
  const count = page.totalIsLowerBound ? `Over ${page.total.toLocaleString('da-DK')}` : page.total.toLocaleString('da-DK');
  return {
    countText: `${count} fund`,
    items: page.items.map((hit) => ({
      ...hit,
      kindLabel: kindLabels[hit.kind] ?? hit.kind,
      stateLabel: STATE_LABELS[hit.consultation.state] ?? hit.consultation.state,
      href: `/consultations/${hit.consultation.id}`,
    })),
    nextHref: page.nextCursor ? `/search?${next.toString()}` : null,
  };
}
