import { Router, type Request, type RequestHandler, type Response, type NextFunction } from 'express';
import passport from 'passport';
import { AppError } from '../../domain/errors.ts';
import { csrfProtection, csrfTokenForForm } from '../middleware/csrf.ts';
import { parseInput } from '../../domain/validation.ts';
import { formError, typedFields } from '../forms.ts';
import { loginForm, loginQuery, safeNextPath } from './auth.schemas.ts';

function renderLogin(res: Response, values: { email?: string; next?: string; error?: string }, status = 200): void {
  res.status(status).render('pages/login', { title: 'Log ind', values, error: values.error, hideNav: true });
}

function logIn(req: Request, res: Response, next: NextFunction): void {
  let form: ReturnType<typeof loginForm.parse>;
  try {
    form = parseInput(loginForm, req.body ?? {});
  } catch (error) {
    const refused = formError(error);
    const typed = typedFields(req.body);
    const message = refused.details.map((d) => d.message).join('. ');
    return renderLogin(res, { email: typed.email, next: safeNextPath.parse(typed.next), error: message || refused.message }, refused.httpStatus);
  }
  if (!form.email || !form.password) {
    return renderLogin(res, { email: form.email, next: form.next, error: 'Skriv både e-mail og adgangskode.' }, 422);
  }
  // passport types the handler it returns as `any`; it is Express middleware.
  const authenticate = passport.authenticate('local', (error: unknown, user: Express.User | false) => {
    if (error instanceof AppError && (error.code === 'UNAUTHENTICATED' || error.code === 'TOO_MANY_REQUESTS')) {
      const retry = error.meta.retryAfterSeconds;
      if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
      return renderLogin(res, { email: form.email, next: form.next, error: error.message }, error.httpStatus);
    }
    if (error || !user) return next(error ?? new AppError('UNAUTHENTICATED', 'Login mislykkedes'));
    req.logIn(user, (loginError) => (loginError ? next(loginError) : res.redirect(303, form.next)));
  }) as RequestHandler;
  authenticate(req, res, next);
}

/** Login and logout. */
export function authRoutes(): Router {
  const router = Router();
  router.get('/login', csrfTokenForForm, (req, res) => {
    if (res.locals.actor) return res.redirect(303, '/');
    renderLogin(res, { next: loginQuery.parse(req.query).next });
  });
  router.post('/login', csrfProtection, logIn);
  // Destroying the session row ends the login everywhere (every process reads the session on
  // every request); passport's own logout would only empty it first.
  router.post('/logout', csrfProtection, (req, res, next) => {
    req.session.destroy((error: unknown) => (error ? next(error) : res.redirect(303, '/login')));
  });
  return router;
}
