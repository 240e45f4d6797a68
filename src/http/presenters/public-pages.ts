import type { PublicCouncilPage } from '../../domain/publication/public-pages.ts';
import { formatSize } from './file-size.ts';
import { ROLE_LABELS } from '../../domain/users/service.ts';

/** A council's public page as its template shows it: role labels, sizes, links and a description for search engines and link previews. */
export function presentPublicCouncil(page: PublicCouncilPage) {
  const slug = encodeURIComponent(page.council.slug);
  const count = page.responses.length;
  return {
    ...page,
    members: page.members.map((m) => ({ ...m, roleText: m.title ?? ROLE_LABELS[m.role] })),
    minutes: page.minutes.map((m) => ({ ...m, href: `/r/${slug}/referater/${m.meetingId}.pdf`, sizeText: formatSize(m.sizeBytes) })),
    responses: page.responses.map((r) => ({ ...r, href: `/r/${slug}/svar/${r.id}.pdf`, sizeText: formatSize(r.sizeBytes) })),
    metaDescription: `${page.council.name}${page.council.municipality ? `, ${page.council.municipality}` : ''}: ${count === 1 ? 'ét offentliggjort høringssvar' : `${count.toLocaleString('da-DK')} offentliggjorte høringssvar`}, møder og medlemmer.`,
  };
}
