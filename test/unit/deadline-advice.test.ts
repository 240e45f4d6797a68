import { expect } from 'chai';
import { adviseOnDeadline, extensionLetterText, proposeExtendedDeadline, type DeadlineAdvice } from '../../src/domain/deadlines/advice.ts';
import { parseDeadline } from '../../src/domain/time.ts';

function at(local: string): Date {
  const d = parseDeadline(local);
  if (!d) throw new Error(`bad date ${local}`);
  return d;
}

function expectKind<K extends DeadlineAdvice['kind']>(advice: DeadlineAdvice, kind: K): Extract<DeadlineAdvice, { kind: K }> {
  expect(advice.kind).to.equal(kind);
  return advice as Extract<DeadlineAdvice, { kind: K }>;
}

const council = 'Integrationsrådet i Næstved Kommune';
const authority = 'Beskæftigelses- og Uddannelsesudvalget, Næstved Kommune';
const title = 'Udkast til Integrationsstrategi 2026–2029';

describe('adviseOnDeadline', () => {
  it('a meeting before the deadline: put it on the agenda, draft ready 5 working days before', () => {
    const meeting = { startsAt: at('2026-03-03T17:00'), place: 'Rådhuset, mødelokale 2' };
    const advice = expectKind(adviseOnDeadline({ deadline: at('2026-03-12T12:00'), now: at('2026-02-10T09:00'), meetings: [meeting] }), 'meeting');
    expect(advice.meeting).to.equal(meeting);
    expect(advice.draftReadyBy).to.equal('2026-02-24');
    expect(advice.tight).to.equal(false);
    expect(advice.text).to.equal(
      'Rådet mødes 3. marts 2026, kl. 17.00 (Rådhuset, mødelokale 2). Sæt høringen på dagsordenen; ' +
        'udkastet skal være klar senest 24. februar 2026, så det kan sendes ud med dagsordenen.',
    );
  });

  it('picks the first upcoming meeting, whatever the order, and ignores past ones', () => {
    const advice = expectKind(
      adviseOnDeadline({
        deadline: at('2026-06-30T12:00'),
        now: at('2026-03-10T09:00'),
        meetings: [
          { startsAt: at('2026-06-02T17:00'), place: 'Rådhuset' },
          { startsAt: at('2026-03-03T17:00'), place: 'Rådhuset' },
          { startsAt: at('2026-04-21T17:00'), place: 'Biblioteket' },
        ],
      }),
      'meeting',
    );
    expect(advice.meeting.place).to.equal('Biblioteket');
  });

  it('Easter: a meeting on the Tuesday after Easter needs the draft before Skærtorsdag', () => {
    const advice = expectKind(
      adviseOnDeadline({
        deadline: at('2026-04-15T12:00'),
        now: at('2026-03-16T09:00'),
        meetings: [{ startsAt: at('2026-04-07T17:00'), place: 'Rådhuset' }],
      }),
      'meeting',
    );
    // 1 Apr, 31 Mar, 30 Mar, 27 Mar, 26 Mar: Skærtorsdag, Langfredag, the weekend and 2. påskedag skipped.
    expect(advice.draftReadyBy).to.equal('2026-03-26');
    expect(advice.text).to.include('senest 26. marts 2026');
  });

  it('Christmas: a meeting on 4 January needs the draft by 22 December', () => {
    const advice = expectKind(
      adviseOnDeadline({
        deadline: at('2027-01-15T12:00'),
        now: at('2026-12-01T09:00'),
        meetings: [{ startsAt: at('2027-01-04T16:30'), place: '' }],
      }),
      'meeting',
    );
    expect(advice.draftReadyBy).to.equal('2026-12-22');
    expect(advice.text).to.equal(
      'Rådet mødes 4. januar 2027, kl. 16.30. Sæt høringen på dagsordenen; udkastet skal være klar senest ' +
        '22. december 2026, så det kan sendes ud med dagsordenen.',
    );
  });

  it('respects a council-specific agenda lead time and rejects nonsense', () => {
    const base = {
      deadline: at('2026-03-12T12:00'),
      now: at('2026-02-01T09:00'),
      meetings: [{ startsAt: at('2026-03-03T17:00'), place: 'Rådhuset' }],
    };
    expect(expectKind(adviseOnDeadline({ ...base, agendaLeadWorkingDays: 10 }), 'meeting').draftReadyBy).to.equal('2026-02-17');
    expect(expectKind(adviseOnDeadline({ ...base, agendaLeadWorkingDays: 0 }), 'meeting').draftReadyBy).to.equal('2026-03-03');
    expect(() => adviseOnDeadline({ ...base, agendaLeadWorkingDays: -1 })).to.throw(RangeError);
    expect(() => adviseOnDeadline({ ...base, agendaLeadWorkingDays: 2.5 })).to.throw(RangeError);
  });

  it('tight: the draft date has passed but the meeting is still before the deadline', () => {
    const meetings = [{ startsAt: at('2026-03-03T17:00'), place: 'Rådhuset, mødelokale 2' }];
    const deadline = at('2026-03-12T12:00');
    const onTheDay = expectKind(adviseOnDeadline({ deadline, now: at('2026-02-24T15:00'), meetings }), 'meeting');
    expect(onTheDay.tight).to.equal(false);
    const late = expectKind(adviseOnDeadline({ deadline, now: at('2026-02-26T10:00'), meetings }), 'meeting');
    expect(late.tight).to.equal(true);
    expect(late.draftReadyBy).to.equal('2026-02-24');
    expect(late.text).to.match(/^Rådet mødes 3\. marts 2026, kl\. 17\.00 \(Rådhuset, mødelokale 2\)\. Det er stramt/);
    expect(late.text).to.include('24. februar 2026');
  });

  it('a meeting exactly at the deadline counts; one later that day does not', () => {
    const deadline = at('2026-03-12T17:00');
    const now = at('2026-02-01T09:00');
    expect(adviseOnDeadline({ deadline, now, meetings: [{ startsAt: at('2026-03-12T17:00'), place: 'x' }] }).kind).to.equal('meeting');
    expect(adviseOnDeadline({ deadline, now, meetings: [{ startsAt: at('2026-03-12T17:01'), place: 'x' }] }).kind).to.equal('no_meeting');
  });

  it('no meeting before the deadline: the three options, the next meeting and a proposed date', () => {
    const advice = expectKind(
      adviseOnDeadline({
        deadline: at('2026-03-12T12:00'),
        now: at('2026-02-20T09:00'),
        meetings: [
          { startsAt: at('2026-02-03T17:00'), place: 'Rådhuset' }, // already held
          { startsAt: at('2026-03-25T17:00'), place: 'Rådhuset, mødelokale 2' },
        ],
      }),
      'no_meeting',
    );
    expect(advice.options).to.deep.equal(['chair_decision', 'written_procedure', 'extension']);
    expect(advice.nextMeeting?.startsAt.getTime()).to.equal(at('2026-03-25T17:00').getTime());
    // Three working days after the meeting (26, 27, 30 March), at the deadline's hour — now in summer time.
    expect(advice.proposedDeadline.toISOString()).to.equal('2026-03-30T10:00:00.000Z');
    expect(advice.text).to.include('næste møde er 25. marts 2026, kl. 17.00 (Rådhuset, mødelokale 2)');
    expect(advice.text).to.include('efter høringsfristen 12. marts 2026, kl. 12.00');
    expect(advice.text).to.include('formandsbeslutning');
    expect(advice.text).to.include('skriftlig procedure blandt medlemmerne');
    expect(advice.text).to.include('fristforlængelse til 30. marts 2026');
  });

  it('no meeting planned at all', () => {
    const advice = expectKind(adviseOnDeadline({ deadline: at('2026-03-12T12:00'), now: at('2026-02-20T09:00'), meetings: [] }), 'no_meeting');
    expect(advice.nextMeeting).to.equal(null);
    expect(advice.text).to.include('ikke noget møde planlagt før høringsfristen 12. marts 2026, kl. 12.00');
    // 10 working days after Thursday 12 March.
    expect(advice.proposedDeadline.getTime()).to.equal(at('2026-03-26T12:00').getTime());
  });

  it('its extensionLetter fills in the deadline and the next meeting', () => {
    const deadline = at('2026-03-12T12:00');
    const advice = expectKind(
      adviseOnDeadline({
        deadline,
        now: at('2026-02-20T09:00'),
        meetings: [{ startsAt: at('2026-03-25T17:00'), place: 'Rådhuset' }],
      }),
      'no_meeting',
    );
    const details = { councilName: council, authority, title, authorityReference: '25.00.00-P15-3-25', signerName: 'Maria Kavita Nielsen' };
    expect(advice.extensionLetter(details)).to.equal(extensionLetterText({ ...details, deadline, nextMeeting: at('2026-03-25T17:00') }));
  });

  it('overdue once the deadline has passed', () => {
    const advice = expectKind(
      adviseOnDeadline({
        deadline: at('2026-03-12T12:00'),
        now: at('2026-03-12T12:05'),
        meetings: [{ startsAt: at('2026-03-25T17:00'), place: 'Rådhuset' }],
      }),
      'overdue',
    );
    expect(advice.text).to.include('Høringsfristen udløb 12. marts 2026, kl. 12.00');
    expect(advice.nextMeeting?.place).to.equal('Rådhuset');
  });
});

describe('extensionLetterText', () => {
  it('is a complete, polite Danish letter proposing a date a few working days after the meeting', () => {
    const text = extensionLetterText({
      councilName: council,
      authority,
      title,
      authorityReference: '25.00.00-P15-3-25',
      deadline: at('2026-03-12T12:00'),
      nextMeeting: at('2026-03-25T17:00'),
      signerName: 'Maria Kavita Nielsen',
    });
    const lines = text.split('\n');
    expect(lines[0]).to.equal(`Til ${authority}`);
    expect(text).to.include(`Anmodning om fristforlængelse – høring vedr. ${title}`);
    expect(text).to.include('Jeres reference: 25.00.00-P15-3-25');
    expect(text).to.include('Høringsfristen er 12. marts 2026, kl. 12.00.');
    expect(text).to.include('mødes kun få gange om året');
    expect(text).to.include('næste møde er 25. marts 2026');
    expect(text).to.include('forlænges til 30. marts 2026, kl. 12.00');
    expect(text).to.include('Med venlig hilsen');
    expect(lines.slice(-2)).to.deep.equal([`På vegne af ${council}`, 'Maria Kavita Nielsen']);
    expect(text).not.to.match(/undefined|null|NaN|Invalid/);
  });

  it('without a meeting or a reference or a signer, proposes 10 working days after the deadline', () => {
    const text = extensionLetterText({
      councilName: 'Det Nationale Integrationsråd',
      authority: 'Udlændinge- og Integrationsministeriet',
      title: 'Forslag til lov om ændring af integrationsloven',
      authorityReference: null,
      deadline: at('2026-12-21T12:00'),
      nextMeeting: null,
    });
    expect(text).not.to.include('Jeres reference');
    expect(text).to.include('endnu ikke et møde planlagt');
    // 22, 23, 28, 29, 30 December, 4–8 January: 24 and 31 December and the holidays skipped.
    expect(text).to.include('forlænges til 8. januar 2027, kl. 12.00');
    expect(text.split('\n').at(-1)).to.equal('Det Nationale Integrationsråd');
    expect(text).not.to.match(/undefined|null|NaN|Invalid/);
  });

  it('proposeExtendedDeadline skips Easter after a meeting on the Tuesday after Easter', () => {
    const proposed = proposeExtendedDeadline(at('2026-04-01T12:00'), at('2026-04-07T17:00'));
    expect(proposed.getTime()).to.equal(at('2026-04-10T12:00').getTime());
    // Keeps a date-only deadline's 23.59.
    expect(proposeExtendedDeadline(at('2026-03-31'), null).getTime()).to.equal(at('2026-04-17T23:59').getTime());
  });
});
