import type { ConsultationDetails, ConsultationView } from '../../domain/consultations/service.ts';
import { toDanishIso } from '../../domain/time.ts';

/** A consultation as the JSON API returns it. */
export function consultationJson(view: ConsultationView | ConsultationDetails, statusUrls?: Map<string, string>) {
  const json: Record<string, unknown> = {
    id: view.id,
    reference: view.reference,
    title: view.title,
    authority: view.authority,
    authorityReference: view.authorityReference,
    authorityEmail: view.authorityEmail,
    receivedAt: view.receivedAt,
    deadline: toDanishIso(view.deadline),
    summary: view.summary,
    sourceUrl: view.sourceUrl,
    state: view.state,
    version: view.version,
    council: view.council ? { slug: view.council.slug, name: view.council.name } : null,
    assignee: view.assignee,
    daysLeft: view.daysLeft,
    deadlineStatus: view.deadlineStatus,
    allowedEvents: view.allowedEvents,
    // Absent (dropped by JSON) for those who may not read the council's internals.
    changesRequested: view.changesRequested,
    approval: view.approval,
    submission: view.submission,
    closingReason: view.closingReason,
    updatedAt: view.updatedAt.toISOString(),
  };
  // Only for those who may see it (the council's secretary and chair, admins).
  const statusUrl = statusUrls?.get(view.id);
  if (statusUrl) json.statusUrl = statusUrl;
  if ('timeline' in view) {
    // Absent, not null, for those who may not read the council's internals (municipal staff).
    if (view.draft !== undefined) {
      json.draft = view.draft
        ? { number: view.draft.number, body: view.draft.body, savedAt: view.draft.savedAt.toISOString(), savedBy: view.draft.savedBy }
        : null;
    }
    json.timeline = view.timeline.map((entry) => ({
      at: entry.at.toISOString(),
      actor: entry.actor,
      type: entry.type,
      from: entry.from,
      to: entry.to,
      comment: entry.comment,
    }));
  }
  return json;
}
