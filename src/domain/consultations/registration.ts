import { listCouncils } from '../../db/repositories/councils.ts';
import type { Actor } from '../access/actor.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { AppError, notFound, type ErrorDetail } from '../errors.ts';
import { mayActorRegister } from './policy.ts';
import { parseInput } from '../validation.ts';
import { checkDocuments, storeDocuments, type UploadedFile } from './documents.ts';
import { newConsultationSchema } from './schemas.ts';
import { registerConsultation, type ConsultationDeps, type ConsultationDetails } from './service.ts';
import { statusUrlFor, type StatusLinkDeps } from './status-links.ts';

function detailsOf(error: unknown): ErrorDetail[] {
  if (error instanceof AppError && error.code === 'VALIDATION_FAILED') return error.details;
  throw error;
}

/**
 * Registers a consultation from the web form with its documents, and returns it with its status
 * link. The fields and the files are checked together first, so one round trip shows every
 * mistake; nothing is stored unless everything is valid.
 */
export async function registerConsultationWithDocuments(
  deps: ConsultationDeps & StatusLinkDeps & { jobs: Jobs },
  actor: Actor,
  input: unknown,
  files: UploadedFile[],
): Promise<{ consultation: ConsultationDetails; statusUrl: string | null }> {
  if (!mayActorRegister(actor)) throw notFound();
  const details: ErrorDetail[] = [];
  try {
    parseInput(newConsultationSchema, input);
  } catch (error) {
    details.push(...detailsOf(error));
  }
  let documents: Awaited<ReturnType<typeof checkDocuments>> = [];
  try {
    documents = await checkDocuments(files);
  } catch (error) {
    details.push(...detailsOf(error));
  }
  if (details.length > 0) throw new AppError('VALIDATION_FAILED', 'Nogle felter er ikke udfyldt korrekt', { details });
  const consultation = await registerConsultation(deps, actor, input, {
    alongside: async (tx, id) => void (await storeDocuments(tx, deps.jobs, actor, id, documents)),
  });
  const statusUrl = await statusUrlFor(deps, actor, {
    id: consultation.id,
    council_id: consultation.council?.id ?? null,
    created_by: actor.userId,
  });
  return { consultation, statusUrl };
}

/**
 * The councils the registration form offers: those where the actor is secretary, every council
 * for admins. NOT_FOUND for those who may not register at all.
 */
export async function registrationCouncils(deps: ConsultationDeps, actor: Actor): Promise<{ slug: string; name: string }[]> {
  if (!mayActorRegister(actor)) throw notFound();
  if (actor.isAdmin) return (await listCouncils(deps.db)).map((c) => ({ slug: c.slug, name: c.name }));
  return actor.councils.filter((c) => c.role === 'secretary').map((c) => ({ slug: c.slug, name: c.name }));
}
