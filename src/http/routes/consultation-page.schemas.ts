import { z } from 'zod';
import { MAX_DRAFT_CHARS } from '../../domain/consultations/schemas.ts';
import { formField } from '../forms.ts';

export const consultationPageParams = z.object({ id: z.string().max(100) });

/** A document of a consultation; a bad number is refused before any lookup. */
export const documentParams = z.object({
  id: z.string().max(100),
  docId: z.coerce.number({ error: 'Ukendt dokument' }).int().min(1).max(2_147_483_647),
});

const versionNumber = z.coerce.number().int().min(1).max(1_000_000).optional().catch(undefined);

/** The page's query: notices after a redirect, and which two versions to compare. */
export const consultationPageQuery = z.object({
  ok: z.string().max(5).optional().catch(undefined),
  registered: z.string().max(5).optional().catch(undefined),
  voted: z.string().max(5).optional().catch(undefined),
  publication: z.string().max(5).optional().catch(undefined),
  outcome: z.string().max(5).optional().catch(undefined),
  confirmed: z.string().max(5).optional().catch(undefined),
  from: versionNumber,
  to: versionNumber,
});

// The version a form was rendered with, as the hidden field sends it; the domain reads the number.
const formVersion = formField(12, 'Ugyldig version');

/** Optional event fields a browser sends as '' when left empty; the domain reads absent as "not given". */
const OPTIONAL_EVENT_FIELDS = ['meetingDate', 'submittedAt', 'recipient', 'assignee', 'note', 'notPublicReason'];

/**
 * A workflow form: the event's type and version and its other fields, each one string as a
 * browser sends it (the domain's event schema checks them). The CSRF token is left out.
 */
export const eventForm = z
  .object({ type: formField(40, 'Ukendt hændelsestype'), version: formVersion, _csrf: z.unknown().optional() })
  .catchall(formField())
  .transform(({ _csrf: _ignored, ...form }) => {
    const fields: Record<string, string> = { ...form };
    for (const key of OPTIONAL_EVENT_FIELDS) if (fields[key] === '') delete fields[key];
    return fields as typeof form;
  });

/** The publication form: public or not, and why not. */
export const publicationForm = z.object({ public: formField(10).default(''), reason: formField(2000).default(''), _csrf: z.unknown().optional() });

/** The form for what came of a response. */
export const outcomeForm = z.object({
  outcome: formField(40).default(''),
  note: formField(4000).default(''),
  url: formField(4000).default(''),
  _csrf: z.unknown().optional(),
});

/** The confirmation of an arrived consultation's deadline, as the page's form sends it. */
export const intakeForm = z.object({ deadline: formField(40).default(''), version: formVersion, _csrf: z.unknown().optional() });

export const draftForm = z.object({ body: formField(MAX_DRAFT_CHARS).default(''), version: formVersion });

/** A member's comment on the draft, as the comment form sends it; the domain limits its length. */
export const commentForm = z.object({ body: formField().default('') });
