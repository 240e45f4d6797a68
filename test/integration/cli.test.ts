import { expect } from 'chai';
import { runCli } from '../support/cli.ts';
import { testDatabase } from '../support/db.ts';
import { unique } from '../support/factories.ts';
import { userIdForToken } from '../../src/domain/tokens/service.ts';

const cli = (...args: string[]) => runCli(args);

const json = (text: string) => JSON.parse(text.trim()) as Record<string, any>;

describe('admin CLI', function () {
  this.timeout(120_000);
  const slug = `cli-${unique()}`;
  const email = `cli-${unique()}@example.dk`;

  it('council create prints the council as JSON', async () => {
    const result = await cli(
      'council',
      'create',
      '--slug',
      slug,
      '--name',
      'Integrationsrådet i Næstved Kommune',
      '--municipality',
      'Næstved Kommune',
    );
    expect(result.code, result.stderr).to.equal(0);
    expect(json(result.stdout)).to.include({ slug, name: 'Integrationsrådet i Næstved Kommune', municipality: 'Næstved Kommune' });
  });

  it('council create refuses a taken slug and a bad slug', async () => {
    const taken = await cli('council', 'create', '--slug', slug, '--name', 'Igen');
    expect(taken.code).to.equal(1);
    expect(taken.stdout).to.equal('');
    expect(json(taken.stderr).error.code).to.equal('CONFLICT');
    const bad = await cli('council', 'create', '--slug', 'Næstved!', '--name', 'X');
    expect(json(bad.stderr).error.code).to.equal('VALIDATION_FAILED');
    expect(json(bad.stderr).error.details[0].path).to.equal('slug');
  });

  it('user create makes a user, lower-casing the e-mail; refuses bad input with details', async () => {
    const result = await cli(
      'user',
      'create',
      '--email',
      email.toUpperCase(),
      '--name',
      'Søren Østergaard',
      '--password',
      'lang-nok-adgangskode',
      '--admin',
    );
    expect(result.code, result.stderr).to.equal(0);
    expect(json(result.stdout)).to.include({ email, name: 'Søren Østergaard', isAdmin: true });
    const short = await cli('user', 'create', '--email', 'ikke-en-mail', '--name', '', '--password', 'kort');
    expect(short.code).to.equal(1);
    const paths = json(short.stderr).error.details.map((d: { path: string }) => d.path);
    expect(paths).to.include.members(['email', 'name', 'password']);
    const again = await cli('user', 'create', '--email', email, '--name', 'X', '--password', 'lang-nok-adgangskode');
    expect(json(again.stderr).error.code).to.equal('CONFLICT');
  });

  it('member add gives a role; refuses unknown users, councils and roles', async () => {
    const result = await cli('member', 'add', '--email', email, '--council', slug, '--role', 'chair');
    expect(result.code, result.stderr).to.equal(0);
    expect(json(result.stdout)).to.include({ email, council: slug, role: 'chair', title: 'formand' });
    expect(
      json((await cli('member', 'add', '--email', `x-${unique()}@example.dk`, '--council', slug, '--role', 'member')).stderr).error.code,
    ).to.equal('NOT_FOUND');
    expect(json((await cli('member', 'add', '--email', email, '--council', 'findes-ikke', '--role', 'member')).stderr).error.code).to.equal(
      'NOT_FOUND',
    );
    const role = await cli('member', 'add', '--email', email, '--council', slug, '--role', 'konge');
    expect(json(role.stderr).error.details[0].path).to.equal('role');
  });

  it('token create prints a token that authenticates its user', async () => {
    const result = await cli('token', 'create', '--email', email);
    expect(result.code, result.stderr).to.equal(0);
    const { token } = json(result.stdout);
    expect(token).to.match(/^rs_/);
    expect(await userIdForToken(testDatabase().db, token)).to.be.a('number');
    const stored = await testDatabase().db.selectFrom('api_tokens').select('token_hash').execute();
    expect(stored.map((r) => r.token_hash)).not.to.include(token);
    expect(json((await cli('token', 'create', '--email', `x-${unique()}@example.dk`)).stderr).error.code).to.equal('NOT_FOUND');
  });

  it('exits 2 with usage on an unknown command or option', async () => {
    const unknown = await cli('fly', 'away');
    expect(unknown.code).to.equal(2);
    expect(json(unknown.stderr).error.message).to.include('Brug:');
    const option = await cli('council', 'create', '--colour', 'blue');
    expect(option.code).to.equal(2);
  });
});
