import { Router, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import type { AppDeps } from '../../deps.ts';
import {
  addMeetingAsAdmin,
  createCouncilAsAdmin,
  deleteMeetingAsAdmin,
  getCouncilForAdmin,
  getCouncilLogoForAdmin,
  listCouncilsForAdmin,
  listMeetingsForAdmin,
  updateCouncilAsAdmin,
  type CouncilAdminView,
  type LogoUpload,
} from '../../domain/councils/service.ts';
import { councilRosterForAdmin, setTermAsAdmin } from '../../domain/councils/terms.ts';
import { AppError, notFound } from '../../domain/errors.ts';
import { createApiTokenAsAdmin, listApiTokensForAdmin, revokeApiTokenAsAdmin } from '../../domain/tokens/service.ts';
import {
  createUserAsAdmin,
  disableUserAsAdmin,
  getUserForAdmin,
  listUsersForAdmin,
  removeMembershipAsAdmin,
  ROLES,
  ROLE_LABELS,
  setMembershipAsAdmin,
} from '../../domain/users/service.ts';
import type { z } from 'zod';
import { actorOf, requireAdmin } from '../middleware/actor.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { adminIntakeRoutes } from './admin-intake.routes.ts';
import { adminSsoRoutes } from './admin-sso.routes.ts';
import { resetSecondFactorAsAdmin, secondFactorForAdmin } from '../../domain/auth/second-factor.ts';
import { parseInput } from '../../domain/validation.ts';
import { fieldErrors, formError, typedFields } from '../forms.ts';
import {
  councilForm,
  councilParams,
  meetingForm,
  meetingParams,
  membershipForm,
  membershipParams,
  termForm,
  tokenForm,
  tokenParams,
  userForm,
  userParams,
  type CouncilForm,
} from './admin.schemas.ts';

// The logo is held in memory only until it is checked and stored; 5 MB bounds that memory, and
// the domain's own 1 MB limit gives the field message.
const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: 5 * 1024 * 1024, files: 1, fields: 30, fieldSize: 1024 * 1024 },
}).single('logo');

function logoUpload(req: Request, res: Response, next: NextFunction): void {
  upload(req, res, (error: unknown) => {
    if (!error) return next();
    if (error instanceof multer.MulterError && error.code === 'LIMIT_FILE_SIZE') {
      return next(new AppError('PAYLOAD_TOO_LARGE', 'Logoet må højst fylde 1 MB'));
    }
    // Anything else busboy could not read (a part header over its limit, a missing boundary) is the request's fault.
    next(new AppError('MALFORMED_REQUEST', 'Formularen kunne ikke læses'));
  });
}

function uploadedLogo(req: Request): LogoUpload | undefined {
  return req.file && req.file.size > 0 ? { buffer: req.file.buffer } : undefined;
}

/** Errors an admin form shows beside its fields (a taken slug or e-mail too); anything else goes to the error handler. */
const adminFormError = (error: unknown) => formError(error, ['CONFLICT']);

function councilValues(council: CouncilAdminView): CouncilForm {
  return {
    slug: council.slug,
    name: council.name,
    municipality: council.municipality ?? '',
    referencePrefix: council.referencePrefix,
    letterheadAddress: council.letterheadAddress,
    letterheadContact: council.letterheadContact,
    letterheadEmail: council.letterheadEmail ?? '',
    dueSoonWorkingDays: String(council.dueSoonWorkingDays),
    reminderWorkingDays: council.reminderWorkingDays.join(', '),
    agendaWorkingDays: String(council.agendaWorkingDays),
    writtenProcedureQuorumPercent: String(council.writtenProcedureQuorumPercent),
    minutesPublished: council.minutesPublished,
    removeLogo: false,
  };
}

/** Path ids: anything that is not one is a page that does not exist. */
function pathIds<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const parsed = schema.safeParse(req.params);
  if (!parsed.success) throw notFound();
  return parsed.data;
}

const ROLE_OPTIONS = ROLES.map((value) => ({ value, label: ROLE_LABELS[value] }));

/** The administration pages: councils and their meetings, people and their roles, API tokens. Administrators only. */
export function adminRoutes(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps;
  // Everyone but administrators gets the 404 of a page that does not exist; the services check again.
  router.use(requireAdmin);

  router.get('/', (_req, res) => res.render('pages/admin/index', { title: 'Administration' }));
  router.use(adminIntakeRoutes(deps));
  router.use(adminSsoRoutes(deps));

  // ---- Councils ----
  router.get('/councils', async (_req, res) => {
    res.render('pages/admin/councils', { title: 'Råd', councils: await listCouncilsForAdmin(db, actorOf(res)) });
  });

  const renderNewCouncil = (res: Response, values: Record<string, unknown>, error?: AppError) =>
    res.status(error ? error.httpStatus : 200).render('pages/admin/council-form', {
      title: 'Nyt råd',
      isNew: true,
      action: '/admin/councils',
      values,
      error: error?.message,
      fieldErrors: fieldErrors(error),
    });

  router.get('/councils/new', (_req, res) => {
    renderNewCouncil(res, { dueSoonWorkingDays: '5', reminderWorkingDays: '10, 3, 0', agendaWorkingDays: '5', writtenProcedureQuorumPercent: '50' });
  });

  router.post('/councils', logoUpload, csrfProtection, async (req, res) => {
    try {
      const form = parseInput(councilForm, req.body ?? {});
      const council = await createCouncilAsAdmin(db, actorOf(res), form, uploadedLogo(req));
      res.redirect(303, `/admin/councils/${council.id}?ok=oprettet`);
    } catch (error) {
      renderNewCouncil(res, typedFields(req.body), adminFormError(error));
    }
  });

  const renderCouncil = async (
    res: Response,
    councilId: number,
    state: {
      values?: Record<string, unknown>;
      error?: AppError;
      meetingValues?: Record<string, unknown>;
      meetingError?: AppError;
      notice?: string;
    } = {},
  ) => {
    const actor = actorOf(res);
    const council = await getCouncilForAdmin(db, actor, councilId);
    const meetings = await listMeetingsForAdmin(db, actor, councilId, deps.clock());
    const roster = await councilRosterForAdmin(db, actor, councilId);
    const status = state.error?.httpStatus ?? state.meetingError?.httpStatus ?? 200;
    res.status(status).render('pages/admin/council-form', {
      title: council.name,
      council,
      action: `/admin/councils/${council.id}`,
      values: state.values ?? councilValues(council),
      error: state.error?.message,
      fieldErrors: fieldErrors(state.error),
      meetings,
      roster,
      meetingValues: state.meetingValues ?? {},
      meetingError: state.meetingError?.message,
      meetingErrors: fieldErrors(state.meetingError),
      notice: state.notice,
    });
  };

  const NOTICES: Record<string, string> = {
    oprettet: 'Rådet er oprettet.',
    gemt: 'Ændringerne er gemt.',
    moede: 'Mødet er tilføjet.',
    slettet: 'Mødet er slettet.',
  };

  router.get('/councils/:councilId', async (req, res) => {
    const { councilId } = pathIds(councilParams, req);
    const ok = typeof req.query.ok === 'string' ? NOTICES[req.query.ok] : undefined;
    await renderCouncil(res, councilId, { notice: ok });
  });

  router.get('/councils/:councilId/logo', async (req, res) => {
    const { councilId } = pathIds(councilParams, req);
    const logo = await getCouncilLogoForAdmin(db, actorOf(res), councilId);
    res.type(logo.type).setHeader('Cache-Control', 'private, no-cache');
    res.send(logo.data);
  });

  router.post('/councils/:councilId', logoUpload, csrfProtection, async (req, res) => {
    const { councilId } = pathIds(councilParams, req);
    try {
      const form = parseInput(councilForm, req.body ?? {});
      await updateCouncilAsAdmin(db, actorOf(res), councilId, form, { logo: uploadedLogo(req), removeLogo: form.removeLogo });
      res.redirect(303, `/admin/councils/${councilId}?ok=gemt`);
    } catch (error) {
      await renderCouncil(res, councilId, { values: typedFields(req.body), error: adminFormError(error) });
    }
  });

  router.post('/councils/:councilId/meetings', csrfProtection, async (req, res) => {
    const { councilId } = pathIds(councilParams, req);
    try {
      await addMeetingAsAdmin(db, actorOf(res), councilId, parseInput(meetingForm, req.body ?? {}));
      res.redirect(303, `/admin/councils/${councilId}?ok=moede#moeder`);
    } catch (error) {
      await renderCouncil(res, councilId, { meetingValues: typedFields(req.body), meetingError: adminFormError(error) });
    }
  });

  router.post('/councils/:councilId/meetings/:meetingId/delete', csrfProtection, async (req, res) => {
    const { councilId, meetingId } = pathIds(meetingParams, req);
    await deleteMeetingAsAdmin(db, actorOf(res), councilId, meetingId);
    res.redirect(303, `/admin/councils/${councilId}?ok=slettet#moeder`);
  });

  // ---- People ----
  router.get('/users', async (_req, res) => {
    res.render('pages/admin/users', { title: 'Personer', users: await listUsersForAdmin(db, actorOf(res)) });
  });

  const renderNewUser = (res: Response, values: Record<string, unknown>, error?: AppError) =>
    res.status(error ? error.httpStatus : 200).render('pages/admin/user-new', {
      title: 'Ny person',
      // The password is never sent back to the browser.
      values: { ...values, password: '' },
      error: error?.message,
      fieldErrors: fieldErrors(error),
    });

  router.get('/users/new', (_req, res) => renderNewUser(res, {}));

  router.post('/users', csrfProtection, async (req, res) => {
    try {
      const user = await createUserAsAdmin(db, actorOf(res), parseInput(userForm, req.body ?? {}));
      res.redirect(303, `/admin/users/${user.id}?ok=oprettet`);
    } catch (error) {
      renderNewUser(res, typedFields(req.body), adminFormError(error));
    }
  });

  const USER_NOTICES: Record<string, string> = {
    oprettet: 'Personen er oprettet.',
    rolle: 'Rollen er gemt.',
    periode: 'Perioden er gemt.',
    fjernet: 'Personen er fjernet fra rådet.',
    deaktiveret: 'Personen er deaktiveret og kan ikke længere logge ind.',
    tilbagekaldt: 'API-nøglen er tilbagekaldt.',
    totrin: 'Totrinsbekræftelsen er nulstillet. Personen sætter en ny op ved næste login.',
  };

  const renderUser = async (
    res: Response,
    userId: number,
    state: {
      membershipValues?: Record<string, unknown>;
      membershipError?: AppError;
      termCouncilId?: number;
      termError?: AppError;
      termTyped?: Record<string, string>;
      tokenError?: AppError;
      newToken?: string;
      notice?: string;
    } = {},
  ) => {
    const actor = actorOf(res);
    const user = await getUserForAdmin(db, actor, userId);
    const [tokens, councils, secondFactor] = await Promise.all([
      listApiTokensForAdmin(db, actor, userId),
      listCouncilsForAdmin(db, actor),
      secondFactorForAdmin(deps, actor, userId),
    ]);
    const status = state.membershipError?.httpStatus ?? state.termError?.httpStatus ?? state.tokenError?.httpStatus ?? 200;
    const termErrors = fieldErrors(state.termError);
    // A refused term for a seat the person does not have has no form to stand beside.
    if (state.termError && !user.memberships.some((m) => m.councilId === state.termCouncilId)) throw notFound();
    res.status(status).render('pages/admin/user', {
      title: user.name,
      user: {
        ...user,
        // The term form's error sits beside the seat it was sent for.
        memberships: user.memberships.map((m) => ({
          ...m,
          ...(m.councilId === state.termCouncilId
            ? { termStart: state.termTyped?.termStart ?? m.termStart, termEnd: state.termTyped?.termEnd ?? m.termEnd }
            : {}),
          termError: m.councilId === state.termCouncilId ? state.termError?.message : undefined,
          termErrors: m.councilId === state.termCouncilId ? termErrors : {},
        })),
      },
      isSelf: user.id === actor.userId,
      tokens,
      councils: councils.map((c) => ({ id: c.id, name: c.name, selected: String(c.id) === state.membershipValues?.councilId })),
      roles: ROLE_OPTIONS,
      membershipValues: state.membershipValues ?? {},
      membershipError: state.membershipError?.message,
      membershipErrors: fieldErrors(state.membershipError),
      tokenError: state.tokenError?.message,
      tokenErrors: fieldErrors(state.tokenError),
      newToken: state.newToken,
      notice: state.notice,
      secondFactor,
    });
  };

  router.get('/users/:userId', async (req, res) => {
    const { userId } = pathIds(userParams, req);
    const ok = typeof req.query.ok === 'string' ? USER_NOTICES[req.query.ok] : undefined;
    await renderUser(res, userId, { notice: ok });
  });

  router.post('/users/:userId/second-factor/reset', csrfProtection, async (req, res) => {
    const { userId } = pathIds(userParams, req);
    await resetSecondFactorAsAdmin(deps, actorOf(res), userId);
    res.redirect(303, `/admin/users/${userId}?ok=totrin`);
  });

  router.post('/users/:userId/disable', csrfProtection, async (req, res) => {
    const { userId } = pathIds(userParams, req);
    await disableUserAsAdmin(db, actorOf(res), userId);
    res.redirect(303, `/admin/users/${userId}?ok=deaktiveret`);
  });

  router.post('/users/:userId/memberships', csrfProtection, async (req, res) => {
    const { userId } = pathIds(userParams, req);
    try {
      await setMembershipAsAdmin(db, actorOf(res), userId, parseInput(membershipForm, req.body ?? {}));
      res.redirect(303, `/admin/users/${userId}?ok=rolle#raad`);
    } catch (error) {
      await renderUser(res, userId, { membershipValues: typedFields(req.body), membershipError: adminFormError(error) });
    }
  });

  router.post('/users/:userId/memberships/:councilId/term', csrfProtection, async (req, res) => {
    const { userId, councilId } = pathIds(membershipParams, req);
    try {
      await setTermAsAdmin(db, actorOf(res), userId, councilId, parseInput(termForm, req.body ?? {}));
      res.redirect(303, `/admin/users/${userId}?ok=periode#raad`);
    } catch (error) {
      await renderUser(res, userId, { termCouncilId: councilId, termError: adminFormError(error), termTyped: typedFields(req.body) });
    }
  });

  router.post('/users/:userId/memberships/:councilId/delete', csrfProtection, async (req, res) => {
    const { userId, councilId } = pathIds(membershipParams, req);
    await removeMembershipAsAdmin(db, actorOf(res), userId, councilId);
    res.redirect(303, `/admin/users/${userId}?ok=fjernet#raad`);
  });

  // ---- API tokens ----
  router.post('/users/:userId/tokens', csrfProtection, async (req, res) => {
    const { userId } = pathIds(userParams, req);
    try {
      const { token } = await createApiTokenAsAdmin(db, actorOf(res), userId, parseInput(tokenForm, req.body ?? {}));
      // Shown on this response only: the database keeps just its hash, so there is no redirect to a page that could show it again.
      res.setHeader('Cache-Control', 'no-store');
      await renderUser(res, userId, { newToken: token });
    } catch (error) {
      await renderUser(res, userId, { tokenError: adminFormError(error) });
    }
  });

  router.post('/users/:userId/tokens/:tokenId/revoke', csrfProtection, async (req, res) => {
    const { userId, tokenId } = pathIds(tokenParams, req);
    await revokeApiTokenAsAdmin(db, actorOf(res), userId, tokenId);
    res.redirect(303, `/admin/users/${userId}?ok=tilbagekaldt#noegler`);
  });

  return router;
}
