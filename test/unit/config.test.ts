import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/config.ts';

describe('config', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'raadssvar-config-'));

  it('uses the documented defaults', () => {
    const config = parseConfig({ DATA_DIR: dataDir() });
    expect(config.port).to.equal(3000);
    expect(config.databaseUrl).to.equal(undefined);
    expect(config.chromiumPath).to.equal('/usr/lib/chromium/chromium-headless-shell');
    expect(config.logLevel).to.equal('info');
  });

  it('names the variable when a value is wrong', () => {
    expect(() => parseConfig({ PORT: 'tre tusind', DATA_DIR: dataDir() })).to.throw(ConfigError, /^Ugyldig konfiguration: PORT: /);
    expect(() => parseConfig({ LOG_LEVEL: 'loud', DATA_DIR: dataDir() })).to.throw(ConfigError, /LOG_LEVEL/);
    expect(() => parseConfig({ DATABASE_URL: 'mysql://x', DATA_DIR: dataDir() })).to.throw(ConfigError, /DATABASE_URL/);
    expect(() => parseConfig({ SESSION_SECRET: 'kort', DATA_DIR: dataDir() })).to.throw(ConfigError, /SESSION_SECRET/);
  });

  it('gives the message on one line', () => {
    try {
      parseConfig({ PORT: '99999', DATA_DIR: dataDir() });
      expect.fail('should throw');
    } catch (error) {
      expect((error as Error).message).not.to.include('\n');
    }
  });

  it("trusts no proxy by default, and TRUST_PROXY in Express's syntax", () => {
    expect(parseConfig({ DATA_DIR: dataDir() }).trustProxy).to.equal(false);
    expect(parseConfig({ TRUST_PROXY: '', DATA_DIR: dataDir() }).trustProxy).to.equal(false);
    expect(parseConfig({ TRUST_PROXY: '1', DATA_DIR: dataDir() }).trustProxy).to.equal(1);
    expect(parseConfig({ TRUST_PROXY: 'loopback,10.0.0.0/8, fd00::/8 ,192.0.2.7', DATA_DIR: dataDir() }).trustProxy).to.equal(
      'loopback, 10.0.0.0/8, fd00::/8, 192.0.2.7',
    );
    for (const wrong of ['true', 'alle', '10.0.0.0/33', '10.0.0/8', 'loopback,']) {
      expect(() => parseConfig({ TRUST_PROXY: wrong, DATA_DIR: dataDir() }), wrong).to.throw(ConfigError, /TRUST_PROXY/);
    }
  });

  it('requires SESSION_SECRET in production', () => {
    expect(() => parseConfig({ NODE_ENV: 'production', DATA_DIR: dataDir() })).to.throw(ConfigError, /SESSION_SECRET/);
    const config = parseConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), DATA_DIR: dataDir() });
    expect(config.sessionSecret).to.equal('x'.repeat(40));
  });

  it('generates a session secret once and keeps it in DATA_DIR', () => {
    const dir = dataDir();
    const first = parseConfig({ DATA_DIR: dir }).sessionSecret;
    const second = parseConfig({ DATA_DIR: dir }).sessionSecret;
    expect(first).to.have.length.greaterThan(40);
    expect(second).to.equal(first);
    expect(readFileSync(join(dir, 'session-secret'), 'utf8').trim()).to.equal(first);
  });

  it('documents every variable in .env.example', () => {
    const example = readFileSync('.env.example', 'utf8');
    for (const name of [
      'NODE_ENV',
      'PORT',
      'PUBLIC_URL',
      'DATABASE_URL',
      'DATA_DIR',
      'EMBEDDED_PG_PORT',
      'SESSION_SECRET',
      'CHROMIUM_PATH',
      'LOG_LEVEL',
      'SEED_DEMO',
    ]) {
      expect(example, name).to.match(new RegExp(`^${name}=`, 'm'));
    }
  });
});
