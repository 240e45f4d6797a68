import { expect } from 'chai';
import express from 'express';
import type { IncomingMessage, Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { createHttpServer, DEFAULT_HTTP_LIMITS } from '../../src/http/server.ts';

describe('the HTTP server', () => {
  let server: Server;
  let baseUrl: string;
  const app = express();
  app.set('trust proxy', 'loopback');
  app.get('/echo/:name', (req, res) => {
    res.locals.seen = 'yes';
    res.json({ path: req.path, ip: req.ip, protocol: req.protocol, name: req.params.name, query: req.query, local: res.locals.seen });
  });
  const prototypesOnArrival: Array<[object | null, object | null]> = [];

  before(async () => {
    server = createHttpServer(app);
    // Runs before Express sees the request: what Node built, not what Express made of it.
    server.prependListener('request', (req: IncomingMessage, res) => {
      prototypesOnArrival.push([Object.getPrototypeOf(req), Object.getPrototypeOf(res)]);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("builds each request and response on the app's own prototypes, so Express need not move them", async () => {
    await (await fetch(`${baseUrl}/echo/a`)).text();
    await (await fetch(`${baseUrl}/echo/b`)).text();
    expect(prototypesOnArrival).to.have.length(2);
    for (const [request, response] of prototypesOnArrival) {
      expect(request).to.equal(app.request);
      expect(response).to.equal(app.response);
    }
  });

  it("keeps Express's request and response helpers working", async () => {
    const response = await fetch(`${baseUrl}/echo/r%C3%A5d?x=1`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.1.2.3' } });
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    expect(await response.json()).to.deep.equal({
      path: '/echo/r%C3%A5d',
      ip: '10.1.2.3',
      protocol: 'https',
      name: 'råd',
      query: { x: '1' },
      local: 'yes',
    });
  });
});

describe('the HTTP server with slow or over-long requests', () => {
  let server: Server;
  let port: number;
  const BODY_IDLE_MS = 300;
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.post('/form', (req, res) => res.json(req.body));
  app.get('/', (_req, res) => res.send('ok'));
  // Answers after the body idle limit has passed: that wait is the server's, not the client's.
  app.post('/slow', express.urlencoded({ extended: false }), (_req, res) => {
    setTimeout(() => res.send('svar'), BODY_IDLE_MS * 3);
  });

  before(async () => {
    server = createHttpServer(app, { ...DEFAULT_HTTP_LIMITS, bodyIdleTimeoutMs: BODY_IDLE_MS, headersTimeoutMs: 1_000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  /** Writes `request` on a raw socket and collects everything until the server closes it (or an error ends it). */
  function rawExchange(request: string): Promise<{ answer: string; error?: string }> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('error', (error: NodeJS.ErrnoException) => resolve({ answer, error: error.code ?? error.message }));
      socket.on('close', () => resolve({ answer }));
      socket.write(request);
    });
  }

  it('answers a body shorter than its Content-Length with 408 once it stops arriving, and closes', async () => {
    const { answer, error } = await rawExchange(
      'POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\na=1',
    );
    expect(error).to.equal(undefined);
    expect(answer)
      .to.match(/^HTTP\/1\.1 408 /)
      .and.include('Forespørgslen blev ikke sendt færdig i tide');
  });

  it('answers headers that never end with 408', async () => {
    const { answer, error } = await rawExchange('GET / HTTP/1.1\r\nHost: x\r\n');
    expect(error).to.equal(undefined);
    expect(answer).to.match(/^HTTP\/1\.1 408 /);
  });

  it('answers a 100 KB URL with 431, on a raw socket and to fetch, without resetting the connection', async () => {
    const { answer, error } = await rawExchange(`GET /?q=${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(error).to.equal(undefined);
    expect(answer)
      .to.match(/^HTTP\/1\.1 431 /)
      .and.include('Adressen eller forespørgslens felter er for lange');
    const response = await fetch(`http://127.0.0.1:${port}/?q=${'a'.repeat(100_000)}`);
    expect(response.status).to.equal(431);
  });

  it('still answers a complete request whose answer takes longer than the body idle limit', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/slow`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal('svar');
  });

  it('keeps serving ordinary requests on the same connection', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/form`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `n=${i}`,
      });
      expect(await response.json()).to.deep.equal({ n: String(i) });
    }
  });
});
