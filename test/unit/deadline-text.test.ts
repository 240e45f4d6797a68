import { expect } from 'chai';
import { deadlineText } from '../../src/http/presenters/labels.ts';

describe('deadlineText', () => {
  it('gives the calendar days left with the working days among them', () => {
    expect(deadlineText('ok', 10, 6)).to.equal('10 dage tilbage (6 arbejdsdage)');
    expect(deadlineText('due_soon', 3, 1)).to.equal('Snart: 3 dage tilbage (1 arbejdsdag)');
    expect(deadlineText('due_soon', 1, 0)).to.equal('Snart: 1 dag tilbage (0 arbejdsdage)');
  });

  it('says nothing of working days on the day, after it, or once closed', () => {
    expect(deadlineText('due_soon', 0, 0)).to.equal('Frist i dag');
    expect(deadlineText('overdue', -2, null)).to.equal('Overskredet for 2 dage siden');
    expect(deadlineText('closed', 5, null)).to.equal('Afsluttet');
  });
});
