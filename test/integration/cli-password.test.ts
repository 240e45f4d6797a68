import { expect } from 'chai';
import { sql } from 'kysely';
import { sessionIdHash } from '../../src/domain/auth/sessions.ts';
import { verifyPassword } from '../../src/domain/auth/passwords.ts';
import { findUserByEmail } from '../../src/db/repositories/users.ts';
import { runCli } from '../support/cli.ts';
import { testDatabase } from '../support/db.ts';
import { makeUser, unique } from '../support/factories.ts';

const json = (text: string) => JSON.parse(text.trim()) as Record<string, any>;

describe('admin CLI: user password', function () {
  this.timeout(120_000);

  it("sets the password read from stdin and ends the user's sessions", async () => {
    const { db } = testDatabase();
    const { email, password, actor } = await makeUser(db);
    const sid = `cli-session-${unique()}`;
    await sql`insert into session (sid_hash, sess, expire) values (${sessionIdHash(sid)}, ${JSON.stringify({ passport: { user: actor.userId } })}::json, now() + interval '1 hour')`.execute(
      db,
    );
    const newPassword = `fra-stdin-${unique()} med mellemrum`;

    const result = await runCli(['user', 'password', '--email', email.toUpperCase()], {}, `${newPassword}\n`);
    expect(result.code, result.stderr).to.equal(0);
    expect(json(result.stdout)).to.deep.equal({ email, passwordChanged: true });
    expect(result.stdout + result.stderr, 'the password is never printed').to.not.include(newPassword);
    const user = await findUserByEmail(db, email);
    expect(await verifyPassword(newPassword, user!.password_hash)).to.equal(true);
    expect(await verifyPassword(password, user!.password_hash)).to.equal(false);
    const left = await sql`select 1 from session where sid_hash = ${sessionIdHash(sid)}`.execute(db);
    expect(left.rows).to.deep.equal([]);
  });

  it('refuses the password on argv, a short one on stdin and an unknown e-mail', async () => {
    const { db } = testDatabase();
    const { email } = await makeUser(db);
    const onArgv = await runCli(['user', 'password', '--email', email, '--password', 'en-lang-adgangskode'], {}, '');
    expect(onArgv.code).to.equal(1);
    expect(json(onArgv.stderr).error.details[0].path).to.equal('password');
    const short = await runCli(['user', 'password', '--email', email], {}, 'kort\n');
    expect(short.code).to.equal(1);
    expect(json(short.stderr).error).to.include({ code: 'VALIDATION_FAILED' });
    const unknown = await runCli(['user', 'password', '--email', `ukendt-${unique()}@example.dk`], {}, 'en-lang-adgangskode\n');
    expect(json(unknown.stderr).error.code).to.equal('NOT_FOUND');
  });
});
