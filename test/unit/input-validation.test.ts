import { expect } from 'chai';
import { z } from 'zod';
import { cleanDocumentName } from '../../src/domain/consultations/documents.ts';
import { deadlineSchema } from '../../src/domain/consultations/schemas.ts';
import { AppError } from '../../src/domain/errors.ts';
import { parseInput } from '../../src/domain/validation.ts';
import { fieldErrors, formError, formField, typedFields } from '../../src/http/forms.ts';

describe('input validation helpers', () => {
  describe('typedFields', () => {
    it('keeps each field as one string, the first of a repeated one, and never the CSRF token or a password', () => {
      const body = { title: 'Høring', email: ['a@b.dk', 'c@d.dk'], _csrf: 'token', password: 'hemmelig', nested: { x: 1 }, empty: '' };
      expect(typedFields(body)).to.deep.equal({ title: 'Høring', email: 'a@b.dk', empty: '' });
    });

    it('reads no fields from a body that is not an object', () => {
      for (const body of [undefined, null, 'tekst', ['a'], 7]) expect(typedFields(body)).to.deep.equal({});
    });
  });

  describe('formField', () => {
    const form = z.object({ name: formField(5), note: formField().default('') });

    it('refuses a repeated, missing, wrongly typed or over-long field with its own Danish message', () => {
      const messages = (input: unknown) => {
        try {
          parseInput(form, input);
          return [];
        } catch (error) {
          return fieldErrors(formError(error));
        }
      };
      expect(messages({ name: ['a', 'b'] })).to.deep.equal({ name: 'Feltet er sendt mere end én gang' });
      expect(messages({})).to.deep.equal({ name: 'Skal udfyldes' });
      expect(messages({ name: 5 })).to.deep.equal({ name: 'Ugyldig værdi' });
      expect(messages({ name: 'seks t' })).to.deep.equal({ name: 'Højst 5 tegn' });
      expect(messages({ name: 'a\u0000' }))
        .to.have.property('name')
        .that.includes('NUL');
      expect(messages({ name: 'fem t' })).to.deep.equal([]);
    });

    it('lets a form show only VALIDATION_FAILED and the codes it names; anything else is rethrown', () => {
      const conflict = new AppError('CONFLICT', 'Findes allerede');
      expect(formError(conflict, ['CONFLICT'])).to.equal(conflict);
      expect(() => formError(conflict)).to.throw(AppError);
      expect(() => formError(new Error('database'))).to.throw('database');
    });
  });

  describe('deadlines', () => {
    it('accepts offsets within ±14:00 and refuses impossible ones', () => {
      for (const ok of [
        '2026-12-01T12:00+14:00',
        '2026-12-01T12:00-12:00',
        '2026-12-01T12:00:00.000+0100',
        '2026-12-01T12:00Z',
        '2026-12-01T12:00',
        '2026-12-01',
      ]) {
        expect(deadlineSchema.safeParse(ok).success, ok).to.equal(true);
      }
      for (const bad of ['2026-12-01T12:00+25:00', '2026-12-01T12:00+14:01', '2026-12-01T12:00-15', '2026-12-01T12:00+0175']) {
        expect(deadlineSchema.safeParse(bad).success, bad).to.equal(false);
      }
      expect(deadlineSchema.parse('2026-12-01T12:00+14:00').toISOString()).to.equal('2026-11-30T22:00:00.000Z');
    });
  });

  describe('document names', () => {
    it('drops bidirectional controls, control characters and the path, so a name shows as what it is', () => {
      expect(cleanDocumentName('faktura\u202Efdp.exe')).to.equal('fakturafdp.exe');
      expect(cleanDocumentName('C:\\Users\\mette\\\u2066høring\u2069\u200F.pdf')).to.equal('høring.pdf');
      expect(cleanDocumentName('a\u0000b\u0085c\u061C"d\u2028.pdf')).to.equal('abcd.pdf');
      expect(cleanDocumentName('../../etc/passwd')).to.equal('passwd');
      expect(cleanDocumentName('Ærø 🏳️‍🌈.pdf')).to.equal('Ærø 🏳️‍🌈.pdf');
    });
  });
});
