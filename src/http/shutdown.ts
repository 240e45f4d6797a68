import type { Server } from 'node:http';
import type { ServerResponse } from 'node:http';

/** How a server's graceful close ended: `cutOff` responses were still unfinished when the grace ran out. */
export interface ServerClosed {
  cutOff: number;
}

/**
 * Prepares `server` for a close that loses no response, and returns that close. Call it once,
 * right after creating the server: it watches every response from then on.
 *
 * The close stops accepting connections, closes keep-alive connections that sit between requests
 * at once, and lets every request under way finish; each connection is closed as soon as its
 * response is done (a response whose headers are not yet out says `Connection: close`). What is
 * still unfinished after `graceMs` is cut off. Node's own `server.close()` would instead keep a
 * keep-alive connection open until its idle timeout, and `closeAllConnections()` cuts off the
 * responses under way.
 */
export function gracefulClose(server: Server): (graceMs: number) => Promise<ServerClosed> {
  const underWay = new Set<ServerResponse>();
  let closing = false;
  server.on('request', (_req, res: ServerResponse) => {
    // A request that came on a connection kept open from before the close.
    if (closing) res.shouldKeepAlive = false;
    underWay.add(res);
    res.once('close', () => {
      underWay.delete(res);
      if (closing) server.closeIdleConnections();
    });
  });

  return (graceMs) =>
    new Promise((resolve) => {
      closing = true;
      for (const res of underWay) if (!res.headersSent) res.shouldKeepAlive = false;
      let cutOff = 0;
      const grace = setTimeout(() => {
        cutOff = underWay.size;
        server.closeAllConnections();
      }, graceMs);
      server.close(() => {
        clearTimeout(grace);
        resolve({ cutOff });
      });
      server.closeIdleConnections();
    });
}
