import { expect } from 'chai';
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createConnection } from 'node:net';
import { gracefulClose } from '../../src/http/shutdown.ts';

/** A GET that resolves with the response and its whole body. */
function get(port: number, agent: Agent, path = '/'): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path, agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ res, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('gracefulClose', () => {
  let server: Server;
  let port: number;
  let close: ReturnType<typeof gracefulClose>;
  let releaseSlow: () => void;
  let slowStarted: Promise<void>;

  beforeEach(async () => {
    let started: () => void;
    slowStarted = new Promise((resolve) => (started = resolve));
    const released = new Promise<void>((resolve) => (releaseSlow = resolve));
    server = createServer((req, res) => {
      if (req.url === '/slow') {
        started();
        void released.then(() => res.end('langsom'));
        return;
      }
      res.end('hurtig');
    });
    close = gracefulClose(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(() => {
    releaseSlow();
    server.closeAllConnections();
  });

  it('closes idle keep-alive connections at once, refuses new ones, and lets a response under way finish', async () => {
    const idleAgent = new Agent({ keepAlive: true });
    const busyAgent = new Agent({ keepAlive: true });
    try {
      expect((await get(port, idleAgent)).body).to.equal('hurtig');
      const [idleSocket] = Object.values(idleAgent.freeSockets).flat() as Socket[];
      const idleClosed = new Promise<void>((resolve) => idleSocket!.once('close', () => resolve()));
      const slow = get(port, busyAgent, '/slow');
      await slowStarted;

      const closed = close(60_000);
      await idleClosed;
      expect(await connectOutcome(port)).to.equal('ECONNREFUSED');

      releaseSlow();
      const { res, body } = await slow;
      expect(body).to.equal('langsom');
      expect(res.headers.connection).to.equal('close');
      expect(await closed).to.deep.equal({ cutOff: 0 });
    } finally {
      idleAgent.destroy();
      busyAgent.destroy();
    }
  });

  it('cuts off what is still running when the grace runs out', async () => {
    const agent = new Agent({ keepAlive: false });
    try {
      const slow = get(port, agent, '/slow').then(
        () => 'completed',
        (error: NodeJS.ErrnoException) => error.code ?? error.message,
      );
      await slowStarted;
      expect(await close(100)).to.deep.equal({ cutOff: 1 });
      expect(await slow).to.equal('ECONNRESET');
    } finally {
      agent.destroy();
    }
  });
});
