import { z } from 'zod';
import { formField } from '../forms.ts';

/** The secret of a vote link, as the path carries it (anything longer is no link of ours). */
export const voteLinkParams = z.object({ token: z.string().max(200).catch('') });

/**
 * A vote as the vote forms send it (the vote page and the consultation page): the choice and the
 * comment, each one string; an empty comment is no comment. The domain checks the choice and
 * that a vote against has a comment. The CSRF token is left out.
 */
export const voteForm = z
  .object({ vote: formField(20).default(''), comment: formField().default(''), _csrf: z.unknown().optional() })
  .transform(({ vote, comment }) => (comment.trim() === '' ? { vote } : { vote, comment }));
