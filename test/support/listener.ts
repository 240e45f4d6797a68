import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback listener that records what reaches it: the proof that untrusted content fetched nothing. */
export interface RecordingListener {
  url: string;
  /** `METHOD /path` of every request, in order. */
  requests: string[];
  /** TCP connections opened, including ones that never sent a request (preconnect). */
  connections: () => number;
  /**
   * Resolves once every connection made before this call has been accepted and read. Call it
   * after the sender has stopped (its browser closed): connections are accepted in the order they
   * arrive, so when this listener has answered a request of its own, nothing sent earlier is still
   * on its way. Its own connection and request are not recorded.
   */
  settle: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * An HTTP listener on a random loopback port that records every request and TCP connection. It
 * answers with a stylesheet, so a `<link>` that got through would also take effect.
 */
export async function startListener(): Promise<RecordingListener> {
  const requests: string[] = [];
  let connections = 0;
  const barrierPath = `/__settle-${Math.random().toString(36).slice(2)}`;
  const server: Server = createServer((req, res) => {
    if (req.url === barrierPath) {
      connections -= 1;
      res.end();
      return;
    }
    requests.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'text/css');
    res.end('body { color: red }');
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    settle: () =>
      new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: barrierPath, agent: false }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
