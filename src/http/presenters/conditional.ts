import type { Request } from 'express';

/**
 * True when a GET's preconditions say the client's copy is current, so the answer is 304 without
 * a body (RFC 9110 §13.1.2–13.1.3, evaluated in the order of §13.2.2): If-None-Match decides when
 * present (weak comparison, `*` matches); otherwise If-Modified-Since, to the second.
 *
 * Not Express's `req.fresh`: it answers in full whenever the request says `Cache-Control: no-cache`,
 * and fetch() adds exactly that to every request that carries a conditional header itself. The
 * directive is addressed to caches on the way (RFC 9111 §5.2.1.4); the origin still evaluates the
 * preconditions, so such a client gets its 304 too.
 */
export function isNotModified(req: Request, current: { etag: string; lastModified: Date }): boolean {
  const noneMatch = req.get('if-none-match');
  if (noneMatch !== undefined) {
    const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
    return noneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(current.etag));
  }
  const since = Date.parse(req.get('if-modified-since') ?? '');
  return !Number.isNaN(since) && Math.floor(current.lastModified.getTime() / 1000) * 1000 <= since;
}
