import { expect } from 'chai';
import { hashPassword, verifyPassword } from '../../src/domain/auth/passwords.ts';

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('Rødgrød med fløde');
    expect(hash).to.match(/^scrypt\$/);
    expect(hash).not.to.include('Rødgrød');
    expect(await verifyPassword('Rødgrød med fløde', hash)).to.equal(true);
    expect(await verifyPassword('rødgrød med fløde', hash)).to.equal(false);
  });

  it('salts: the same password hashes differently', async () => {
    expect(await hashPassword('samme-adgangskode')).not.to.equal(await hashPassword('samme-adgangskode'));
  });

  it('rejects a malformed stored hash', async () => {
    expect(await verifyPassword('x', 'md5$abc')).to.equal(false);
  });
});
