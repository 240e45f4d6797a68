import { SEARCH_KINDS, type SearchPage } from '../../domain/search/service.ts';
import { STATE_LABELS } from './labels.ts';

/** What each kind of hit is called, on the page and in its filter. */
const KIND_LABELS: Record<(typeof SEARCH_KINDS)[number], string> = {
  consultation: 'Høringer',
  response: 'Høringssvar og udkast',
  document: 'Dokumenter',
  comment: 'Kommentarer',
};

/** The kind filter's options, `selected` the one asked for. */
export function searchKindChoices(selected: string | undefined) {
  return SEARCH_KINDS.map((value) => ({ value, label: KIND_LABELS[value], selected: selected === value }));
}

/** A results page as the template shows it: the count in words, each hit's kind and link, the next page's address. */
export function presentSearchPage(page: SearchPage, query: Record<string, string | undefined>) {
  const next = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value && key !== 'cursor') next.set(key, value);
  if (page.nextCursor) next.set('cursor', page.nextCursor);
  const count = page.totalIsLowerBound ? `Over ${page.total.toLocaleString('da-DK')}` : page.total.toLocaleString('da-DK');
  return {
    countText: `${count} fund`,
    items: page.items.map((hit) => ({
      ...hit,
      kindLabel: KIND_LABELS[hit.kind] ?? hit.kind,
      stateLabel: STATE_LABELS[hit.consultation.state] ?? hit.consultation.state,
      href: `/consultations/${hit.consultation.id}`,
    })),
    nextHref: page.nextCursor ? `/search?${next.toString()}` : null,
  };
}
