import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback listener that records what reaches it: the proof that untrusted content fetched nothing. */
export interface RecordingListener {
  url: string;
  /** `METHOD /path` of every request, in order. */
  requests: string[];
  /** TCP connections opened, including ones that never sent a request (preconnect). */
  connections: () => number;
  close: () => Promise<void>;
}

/**
 * An HTTP listener on a random loopback port that records every request and TCP connection. It
 * answers with a stylesheet, so a `<link>` that got through would also take effect.
 */
export async function startListener(): Promise<RecordingListener> {
  const requests: string[] = [];
  let connections = 0;
  const server: Server = createServer((req, res) => {
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
