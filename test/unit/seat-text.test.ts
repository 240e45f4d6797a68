import { expect } from 'chai';
import { seatText } from '../../src/domain/users/service.ts';

describe('a seat in words (seatText), for the lists of members in reports and on the public page', () => {
  it('gives the role, with a title only when it says more than the role', () => {
    expect(seatText('chair', 'formand'), 'a title that repeats the role').to.equal('Formand');
    expect(seatText('chair', ' Formand ')).to.equal('Formand');
    expect(seatText('member', 'næstformand')).to.equal('Medlem (næstformand)');
    expect(seatText('member', null)).to.equal('Medlem');
    expect(seatText('secretary', '')).to.equal('Sekretær');
    expect(seatText('staff', undefined)).to.equal('Forvaltning');
  });
});
