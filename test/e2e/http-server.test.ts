import { expect } from 'chai';
import express from 'express';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '../../src/http/server.ts';

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
    expect(await response.json()).to.deep.equal({ path: '/echo/r%C3%A5d', ip: '10.1.2.3', protocol: 'https', name: 'råd', query: { x: '1' }, local: 'yes' });
  });
});
