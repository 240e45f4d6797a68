import { expect } from 'chai';
import { findDeadline } from '../../src/domain/intake/deadline-finder.ts';

const RECEIVED = new Date('2026-02-10T09:00:00Z');

describe('intake: the deadline found in a mail', () => {
  const cases: [string, string, string | null][] = [
    ['Høringsfristen er den 12. marts 2026 kl. 12.00.', '2026-03-12', '12:00'],
    ['Bemærkninger skal være ministeriet i hænde senest den 12. marts 2026.', '2026-03-12', null],
    ['Frist: 12.03.2026 kl. 12', '2026-03-12', '12:00'],
    ['Høringsfrist 12-03-2026', '2026-03-12', null],
    ['Vi skal have jeres svar inden 5/3 2026 klokken 9:30', '2026-03-05', '09:30'],
    ['Høringsfrist: 2026-04-01', '2026-04-01', null],
    ['Send høringssvar senest 3. april', '2026-04-03', null],
    ['Høringsfrist: 12. okt. 2026 kl. 23.59', '2026-10-12', '23:59'],
  ];
  for (const [text, date, time] of cases) {
    it(`reads „${text}“`, () => {
      const found = findDeadline(text, RECEIVED);
      expect(found, text).to.not.equal(undefined);
      expect(found!.date).to.equal(date);
      expect(found!.time).to.equal(time);
      expect(found!.sentence).to.include(text.replace(/\.$/, ''));
    });
  }

  it('gives the sentence the date stood in, not the whole mail', () => {
    const text = 'Kære råd. Vi sender hermed udkast til strategi i høring. Høringsfristen er den 12. marts 2026. Med venlig hilsen Jens';
    expect(findDeadline(text, RECEIVED)?.sentence).to.equal('Høringsfristen er den 12. marts 2026.');
  });

  it('prefers the sentence that says høringsfrist over an earlier "senest"', () => {
    const text = 'Mødet holdes senest 1. marts 2026.\nHøringsfrist: 20. marts 2026 kl. 10';
    expect(findDeadline(text, RECEIVED)).to.include({ date: '2026-03-20', time: '10:00' });
  });

  it('proposes nothing from a date in a sentence that names no deadline, nor from an impossible date', () => {
    expect(findDeadline('Mødet var den 12. marts 2026 på rådhuset.', RECEIVED)).to.equal(undefined);
    expect(findDeadline('Høringsfrist 31.02.2026', RECEIVED)).to.equal(undefined);
    expect(findDeadline('', RECEIVED)).to.equal(undefined);
  });

  it('gives a date without a year the next such day (a January date read in December is next year)', () => {
    expect(findDeadline('Frist 15. januar', new Date('2026-12-03T10:00:00Z'))?.date).to.equal('2027-01-15');
  });
});
