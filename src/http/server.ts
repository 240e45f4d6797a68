import { IncomingMessage, ServerResponse, STATUS_CODES, createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express, Request, Response } from 'express';

/** How long a client may take to send its request, and how large its head may be. */
export interface HttpServerLimits {
  /** The request line and headers must have arrived within this. */
  headersTimeoutMs: number;
  /**
   * A request body may go this long without a byte arriving: a client that sends less than its
   * Content-Length gets a 408 then, instead of holding the request open until the whole-request limit.
   */
  bodyIdleTimeoutMs: number;
  /** The whole request, body included: long enough for ten 25 MB documents on a slow line. */
  requestTimeoutMs: number;
  /** The request line and headers together; a longer URL gets a 431 answer, not a reset connection. */
  maxHeaderBytes: number;
}

/** The limits `npm start` serves with. */
export const DEFAULT_HTTP_LIMITS: HttpServerLimits = {
  headersTimeoutMs: 20_000,
  bodyIdleTimeoutMs: 20_000,
  requestTimeoutMs: 10 * 60_000,
  maxHeaderBytes: 16 * 1024,
};

// After answering a request Node could not read, the rest of what the client sends is read and
// dropped for this long, so that closing does not reset the connection before it reads the answer.
const DRAIN_BEFORE_CLOSE_MS = 5_000;

/**
 * The HTTP server for an Express app, in which Node creates every request and response directly
 * on the app's own request and response prototypes, with limits on how slowly and how much a
 * client may send (see HttpServerLimits).
 *
 * Otherwise Express moves each of them onto those prototypes with `Object.setPrototypeOf` as it
 * enters the app (see expressjs/express#5998). In V8 that kept every request's objects alive
 * through two minor collections, so they were promoted and left for the full ones. With the
 * prototypes set at construction, Express's own call changes nothing.
 */
export function createHttpServer(app: Express, limits: HttpServerLimits = DEFAULT_HTTP_LIMITS): Server {
  class AppRequest extends IncomingMessage {}
  class AppResponse<R extends IncomingMessage = IncomingMessage> extends ServerResponse<R> {}
  // Once at start-up: the classes' prototypes take the app's place in the chain.
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as unknown as Request;
  app.response = AppResponse.prototype as unknown as Response;
  const server = createServer(
    {
      IncomingMessage: AppRequest,
      ServerResponse: AppResponse,
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often Node checks the two timeouts above; its default (30 s) would let them run late.
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      watchBodyIdle(req, res, limits.bodyIdleTimeoutMs);
      app(req, res);
    },
  );
  server.on('clientError', answerUnreadableRequest);
  return server;
}

/**
 * Answers 408 when a request's body stops arriving before it is complete. Node refreshes the
 * socket's idle timer on every byte it parses; the request emits `timeout` only while incomplete.
 */
function watchBodyIdle(req: IncomingMessage, res: ServerResponse, idleMs: number): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!hasBody) return;
  const socket = req.socket;
  const stopWatching = () => socket.setTimeout(0);
  req.setTimeout(idleMs, () => {
    if (!res.headersSent) {
      const body = 'Forespørgslen blev ikke sendt færdig i tide.\n';
      res.writeHead(408, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
      res.end(body, () => socket.destroy());
    } else {
      socket.destroy();
    }
  });
  // The body is all there but the answer takes time (a PDF, a slow database): not the client's fault.
  res.on('timeout', stopWatching);
  req.once('end', stopWatching);
}

const answered = new WeakSet<Duplex>();

/**
 * Node's own answer to a request it cannot read (a head over maxHeaderBytes, a timeout, bad
 * syntax) closes the socket at once, so a client still sending a long URL sees a reset instead
 * of the answer. Here the answer is sent, the rest of the request read and dropped, then closed.
 */
function answerUnreadableRequest(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  const busy = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (error.code === 'ECONNRESET' || !socket.writable || busy || answered.has(socket)) {
    socket.destroy();
    return;
  }
  answered.add(socket);
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
          ? 413
          : 400;
  const body =
    status === 431
      ? 'Adressen eller forespørgslens felter er for lange.\n'
      : status === 408
        ? 'Forespørgslen blev ikke sendt færdig i tide.\n'
        : 'Forespørgslen kunne ikke læses.\n';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.on('data', () => {});
  socket.resume();
  setTimeout(() => socket.destroy(), DRAIN_BEFORE_CLOSE_MS).unref();
}
