import { Router, type Response } from 'express';
import type { AppDeps } from '../../deps.ts';
import { AppError } from '../../domain/errors.ts';
import { renderMarkdownSafe } from '../../domain/pdf/markdown.ts';
import { parseInput } from '../../domain/validation.ts';
import { openVoteLink, voteWithLink, type VoteLinkView } from '../../domain/written-procedure/vote-links.ts';
import { fieldErrors, typedFields } from '../forms.ts';
import { csrfProtection, csrfTokenForForm } from '../middleware/csrf.ts';
import { voteForm, voteLinkParams } from './vote.schemas.ts';

/** What the vote page shows besides the link's consultation: a vote just cast, or a refused one. */
interface VotePageState {
  done?: boolean;
  error?: AppError;
  typed?: Record<string, string>;
}

function renderVotePage(res: Response, token: string, link: VoteLinkView, state: VotePageState = {}): void {
  const c = link.consultation;
  const procedure = c.writtenProcedure!;
  const chosen = state.typed?.vote ?? procedure.myVote?.vote;
  // The path holds the token: no cache keeps the page (Referrer-Policy no-referrer comes from helmet).
  res.setHeader('Cache-Control', 'no-store');
  res.status(state.error?.httpStatus ?? 200).render('pages/vote', {
    title: `Stem: ${c.title}`,
    hideNav: true,
    token,
    c,
    procedure,
    voterName: link.voterName,
    running: procedure.status === 'running',
    draftHtml: c.draft && procedure.status === 'running' ? renderMarkdownSafe(c.draft.body) : null,
    chosen: { agree: chosen === 'agree', disagree: chosen === 'disagree', abstain: chosen === 'abstain' },
    comment: state.typed?.comment ?? procedure.myVote?.comment ?? '',
    done: state.done,
    error: state.error?.message,
    fieldErrors: state.error ? fieldErrors(state.error) : {},
  });
}

/** A link that does not work: a 404 page in Danish that says so, with nothing of the consultation. */
function renderInvalidLink(res: Response, error: AppError): void {
  res.setHeader('Cache-Control', 'no-store');
  res.status(404).render('pages/vote-invalid', { title: 'Stemmelinket virker ikke', hideNav: true, error: error.message });
}

function isCode(error: unknown, ...codes: string[]): error is AppError {
  return error instanceof AppError && codes.includes(error.code);
}

/**
 * The written procedure's vote page, reached from the vote link in a voter's mail without signing
 * in: GET shows the draft and the three choices (and changes nothing, since link scanners follow
 * GETs), POST casts the link's voter's vote. The page has a form for visitors without a session,
 * so it asks for a CSRF token of its own, as the password-reset page does.
 */
export function voteRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/vote/:token', csrfTokenForForm, async (req, res) => {
    const { token } = voteLinkParams.parse(req.params);
    try {
      renderVotePage(res, token, await openVoteLink(deps, token));
    } catch (error) {
      if (!isCode(error, 'NOT_FOUND')) throw error;
      renderInvalidLink(res, error);
    }
  });
  router.post('/vote/:token', csrfProtection, async (req, res) => {
    const { token } = voteLinkParams.parse(req.params);
    try {
      renderVotePage(res, token, await voteWithLink(deps, token, parseInput(voteForm, req.body ?? {})), { done: true });
    } catch (error) {
      if (isCode(error, 'NOT_FOUND')) return renderInvalidLink(res, error);
      // The vote was refused (a vote against without a reason, a procedure that closed meanwhile):
      // the page as it is now, with the refusal and what was typed.
      if (!isCode(error, 'VALIDATION_FAILED', 'WRITTEN_PROCEDURE_CLOSED', 'NOT_A_VOTER')) throw error;
      const link = await openVoteLink(deps, token).catch((again: unknown) => {
        if (isCode(again, 'NOT_FOUND')) return undefined;
        throw again;
      });
      if (!link) return renderInvalidLink(res, error);
      renderVotePage(res, token, link, { error, typed: typedFields(req.body) });
    }
  });
  return router;
}
