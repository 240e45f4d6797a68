import { expect } from 'chai';
import { sql } from 'kysely';
import { addDraftComment } from '../../src/domain/consultations/comments.ts';
import { saveDraft, sendEvent } from '../../src/domain/consultations/service.ts';
import { queryWords, search, snippetParts } from '../../src/domain/search/service.ts';
import type { Db } from '../../src/db/database.ts';
import { expandPrefixes, PREFIX_WORDS_LIMIT, searchEntries } from '../../src/db/repositories/search.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { deadlineInDays, makeConsultation, makeCouncilWithPeople, makeUser, unique } from '../support/factories.ts';

/** A document as the extraction job leaves it: the test writes `extracted_text` directly. */
async function addDocument(db: Db, consultationId: string, filename: string, text: string) {
  await db
    .insertInto('consultation_documents')
    .values({
      consultation_id: consultationId,
      filename,
      media_type: 'application/pdf',
      size: 4,
      sha256: '0'.repeat(64),
      bytes: Buffer.from('%PDF'),
      text_status: 'extracted',
      extracted_text: text,
    })
    .execute();
}

/** The repository's filter for `q` as the council's secretary searches it, with no compounds expanded. */
function secretaryFilter(people: { council: { id: number }; secretary: { actor: { userId: number } } }, q: string) {
  const councilIds = [people.council.id];
  return {
    viewer: { userId: people.secretary.actor.userId, isAdmin: false, councilIds, internalCouncilIds: councilIds },
    words: queryWords(q),
    expansions: new Map<string, string[]>(),
  };
}

describe('search: Danish full-text search over everything a user may see', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app.close();
  });

  it('stems Danish words: "høringer" finds "høring", "strategierne" finds "strategi"', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const tag = `zq${unique()}`;
    const c = await makeConsultation(app.deps, people.secretary.actor, {
      council: people.council.slug,
      title: `Høring om boliger ${tag}`,
      summary: 'Kommunens nye strategi for udsatte boligområder.',
    });
    const a = await search(app.deps, people.secretary.actor, { q: `høringer ${tag}` });
    expect(a.items.map((i) => i.consultation.id)).to.include(c.id);
    const b = await search(app.deps, people.secretary.actor, { q: `strategierne ${tag}` });
    expect(b.items.map((i) => i.consultation.id)).to.include(c.id);
    expect(b.items[0]!.kind).to.equal('consultation');
  });

  it('finds compound words by a part of them, partial words with *, and a misspelling', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const tag = `zq${unique()}`;
    const c = await makeConsultation(app.deps, people.secretary.actor, {
      council: people.council.slug,
      title: `Integrationsstrategi ${tag}`,
      summary: 'Forslag til beskæftigelsesplan og sprogundervisning.',
    });
    for (const q of [`strategi ${tag}`, `beskæftigelse ${tag}`, `sprogunder* ${tag}`, `integrasjonsstrategi ${tag}`]) {
      const page = await search(app.deps, people.secretary.actor, { q });
      expect(
        page.items.map((i) => i.consultation.id),
        q,
      ).to.include(c.id);
    }
  });

  it('finds response versions, comments and document text, and ranks a title above a body', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const word = `ordx${unique()}`;
    const inTitle = await makeConsultation(app.deps, people.secretary.actor, {
      council: people.council.slug,
      title: `Plan for ${word}`,
      deadline: deadlineInDays(30),
    });
    let inBody = await makeConsultation(app.deps, people.secretary.actor, {
      council: people.council.slug,
      title: 'Noget helt andet',
      deadline: deadlineInDays(30),
    });
    inBody = await sendEvent(app.deps, people.secretary.actor, inBody.id, { type: 'START_DRAFTING', version: inBody.version });
    await saveDraft(app.deps, people.secretary.actor, inBody.id, { body: `Rådet mener at ${word} bør styrkes.`, version: inBody.version });
    await addDraftComment(app.deps, people.member.actor, inBody.id, { body: `Enig om ${word}.` });
    await addDocument(app.deps.db, inBody.id, 'bilag.pdf', `Side 1. Om ${word} i kommunen <script>alert(1)</script>.`);

    const page = await search(app.deps, people.secretary.actor, { q: word });
    expect(page.items.map((i) => i.kind)).to.have.members(['consultation', 'response', 'comment', 'document']);
    expect(page.items[0]!.consultation.id, 'the title match first').to.equal(inTitle.id);
    expect(page.total).to.equal(4);
    const doc = page.items.find((i) => i.kind === 'document')!;
    expect(doc.snippet.some((p) => p.mark && p.text.toLowerCase() === word)).to.equal(true);
    // ts_headline drops markup; what is left is text, escaped by the view like any other.
    expect(doc.snippet.map((p) => p.text).join('')).not.to.match(/[\uE000\uE001]/);
    const staff = await search(app.deps, people.staff.actor, { q: word });
    expect(
      staff.items.map((i) => i.kind),
      'staff never read drafts or comments',
    ).to.have.members(['consultation', 'document']);
    expect(staff.total).to.equal(2);
    const documentsOnly = await search(app.deps, people.secretary.actor, { q: word, kind: 'document' });
    expect(documentsOnly.items.map((i) => i.kind)).to.deep.equal(['document']);
  });

  it('marks a hit deep in a long document, and one found by a part of a compound or a prefix, in the snippet', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const c = await makeConsultation(app.deps, people.secretary.actor, {
      council: people.council.slug,
      title: 'Bilag uden ordet i titlen',
      deadline: deadlineInDays(30),
    });
    const word = `dybx${unique()}`;
    const filler = 'Kommunen arbejder videre med planen i de kommende år. '.repeat(400);
    await addDocument(app.deps.db, c.id, 'lang.pdf', `${filler}Her står ${word}sstrategien for rådet. ${filler}`);

    for (const q of [`${word}sstrategien`, `${word}*`, `${word}sstrategi`]) {
      const page = await search(app.deps, people.secretary.actor, { q, kind: 'document' });
      expect(page.items, q).to.have.length(1);
      const snippet = page.items[0]!.snippet;
      expect(
        snippet.some((p) => p.mark && p.text.startsWith(word)),
        `${q}: ${JSON.stringify(snippet)}`,
      ).to.equal(true);
      expect(snippet.map((p) => p.text).join('').length, q).to.be.below(600);
    }
  });

  it('never shows another council\u2019s document: not in results, snippets or the count', async () => {
    const [a, b] = await Promise.all([
      makeCouncilWithPeople(app.deps.db, { municipality: `K${unique()}` }),
      makeCouncilWithPeople(app.deps.db, { municipality: `K${unique()}` }),
    ]);
    const word = `hemmelig${unique()}`;
    const ofB = await makeConsultation(app.deps, b.secretary.actor, { council: b.council.slug, title: 'Fortroligt' });
    await addDocument(app.deps.db, ofB.id, 'b.pdf', `Kun for råd B: ${word}.`);
    const unassignedOfB = await makeConsultation(app.deps, b.secretary.actor, { title: `Uden råd ${word}` });
    const ofA = await makeConsultation(app.deps, a.secretary.actor, { council: a.council.slug, title: `Åbent ${word}` });
    for (const user of [a.secretary, a.member, a.staff, a.chair]) {
      const page = await search(app.deps, user.actor, { q: word });
      expect(page.items.map((i) => i.consultation.id)).to.deep.equal([ofA.id]);
      expect(page.total).to.equal(1);
      expect(JSON.stringify(page)).not.to.include('Kun for råd B');
      const byCouncil = await search(app.deps, user.actor, { q: word, council: b.council.slug });
      expect(byCouncil.items).to.deep.equal([]);
      expect(byCouncil.total).to.equal(0);
    }
    const bPage = await search(app.deps, b.secretary.actor, { q: word });
    expect(bPage.items.map((i) => i.consultation.id)).to.have.members([ofB.id, unassignedOfB.id]);
    const admin = await makeUser(app.deps.db, { admin: true });
    expect((await search(app.deps, admin.actor, { q: word })).total).to.equal(3);
  });

  it('follows the consultation: a new state or council moves its entries, and pages by cursor', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const word = `sidex${unique()}`;
    const made = [];
    for (let i = 0; i < 22; i += 1) {
      made.push(await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, title: `${word} nr ${i}` }));
    }
    const ids = made.map((c) => c.id);
    const first = await search(app.deps, people.secretary.actor, { q: word, state: 'assigned' });
    expect(first.items).to.have.length(20);
    expect(first.total).to.equal(22);
    const second = await search(app.deps, people.secretary.actor, { q: word, state: 'assigned', cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((i) => i.consultation.id)).to.have.members(ids);
    expect(second.nextCursor).to.equal(null);
    const c = await sendEvent(app.deps, people.secretary.actor, ids[0]!, { type: 'START_DRAFTING', version: made[0]!.version });
    expect(c.state).to.equal('drafting');
    expect((await search(app.deps, people.secretary.actor, { q: word, state: 'drafting' })).items.map((i) => i.consultation.id)).to.deep.equal([
      ids[0],
    ]);
  });

  it('ranks the newest hits up to a bound and counts up to one past it, so a common word costs the same however long the history', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const word = `fælles${unique()}`;
    // The oldest is the best match (the word twice in the title and in the summary), then four newer ones.
    const best = await makeConsultation(app.deps, people.secretary.actor, {
      council: people.council.slug,
      title: `${word} og ${word}`,
      summary: `Alt om ${word}.`,
    });
    const newer = [];
    for (let i = 0; i < 4; i += 1) {
      newer.push(
        await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, title: `Nr ${i}`, summary: `Nævner ${word}.` }),
      );
    }
    const filter = secretaryFilter(people, word);
    const all = await searchEntries(app.deps.db, filter, { limit: 10, rankAtMost: 10 });
    expect(all.rows[0]!.consultationId).to.equal(best.id);
    expect(all.total).to.equal(5);
    const bounded = await searchEntries(app.deps.db, filter, { limit: 10, rankAtMost: 3 });
    expect(bounded.rows.map((r) => r.consultationId)).to.have.members(newer.slice(1).map((c) => c.id));
    // One past the bound: enough to say "over", without counting the rest.
    expect(bounded.total).to.equal(4);
  });

  it('ranks by the consultation\u2019s year first: last year\u2019s hit registered today comes after this year\u2019s, older years in one part still newest first, and a year filter reaches back', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const word = `årgang${unique()}`;
    const thisYear = new Date().getFullYear();
    const make = async (title: string) => makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, title });
    const current = await make(`${word} i år`);
    const lastYear = await make(`${word} sidste år`);
    const sixYearsAgo = await make(`${word} for seks år siden`);
    const old = await make(`${word} fra firserne`);
    const lateEighties = await make(`${word} fra slutfirserne`);
    const future = await make(`${word} tastet forkert`);
    // Registered after `current`, but received earlier (or later): the trigger copies the year to the entries.
    const receive = (id: string, day: string) => app.deps.db.updateTable('consultations').set({ received_at: day }).where('id', '=', id).execute();
    await receive(lastYear.id, `${thisYear - 1}-06-01`);
    await receive(sixYearsAgo.id, `${thisYear - 6}-09-01`);
    await receive(old.id, '1985-03-01');
    await receive(lateEighties.id, '1987-03-01');
    await receive(future.id, `${thisYear + 3}-01-02`);
    const filter = secretaryFilter(people, word);
    const all = await searchEntries(app.deps.db, filter, { limit: 10, rankAtMost: 10 });
    expect(all.rows.map((r) => r.consultationId)).to.have.members([current.id, lastYear.id, sixYearsAgo.id, old.id, lateEighties.id, future.id]);
    expect(all.total).to.equal(6);
    // A year typed wrongly into the future comes first, then this year, then back in time.
    const two = await searchEntries(app.deps.db, filter, { limit: 10, rankAtMost: 2 });
    expect(two.rows.map((r) => r.consultationId)).to.have.members([future.id, current.id]);
    expect(two.total).to.equal(3);
    const three = await searchEntries(app.deps.db, filter, { limit: 10, rankAtMost: 3 });
    expect(three.rows.map((r) => r.consultationId)).to.have.members([future.id, current.id, lastYear.id]);
    // Past the years walked one at a time, the rest is one part, still newest year first: six years
    // ago before 1987 and 1985, though those were registered later.
    const four = await searchEntries(app.deps.db, filter, { limit: 10, rankAtMost: 4 });
    expect(four.rows.map((r) => r.consultationId)).to.have.members([future.id, current.id, lastYear.id, sixYearsAgo.id]);
    expect(four.total).to.equal(5);
    const byYear = await searchEntries(app.deps.db, { ...filter, year: 1985 }, { limit: 10, rankAtMost: 1 });
    expect(byYear.rows.map((r) => r.consultationId)).to.deep.equal([old.id]);
    expect(byYear.total).to.equal(1);
  });

  it('matches a prefix by the exact words it begins, and by to_tsquery\u2019s :* when it begins more than the limit', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    // Ending in "q", which no Danish suffix ends in, so the stemmer leaves the prefix as it is.
    const few = `zp${unique()}q`;
    const many = `zm${unique()}q`;
    const make = async (title: string) => makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, title });
    const found = [await make(`Om ${few}nord`), await make(`Om ${few}syd og ${many}vest`)];
    const foundMany = [found[1]!, await make(`Om ${many}øst`)];
    await make(`Om ${few.slice(0, -1)}nord`); // the prefix without its last letter: not a hit
    await app.deps.db
      .insertInto('search_words')
      .values(Array.from({ length: PREFIX_WORDS_LIMIT }, (_, i) => ({ word: `${many}${i}` })))
      .onConflict((oc) => oc.doNothing())
      .execute();
    const prefixes = await expandPrefixes(app.deps.db, [few, many, 'ab']);
    expect(prefixes.get(few)).to.have.members([`${few}nord`, `${few}syd`]);
    expect(prefixes.has(many), 'more than the limit').to.equal(false);
    expect(prefixes.has('ab'), 'a stem under three letters').to.equal(false);
    const ids = async (q: string, withPrefixes: boolean) => {
      const filter = { ...secretaryFilter(people, q), ...(withPrefixes ? { prefixes } : {}) };
      return (await searchEntries(app.deps.db, filter, { limit: 10, rankAtMost: 10 })).rows.map((r) => r.consultationId);
    };
    expect(await ids(`${few}*`, true)).to.have.members(found.map((c) => c.id));
    expect(await ids(`${few}*`, false), 'the same by :*').to.have.members(found.map((c) => c.id));
    expect(await ids(`${many}*`, true)).to.have.members(foundMany.map((c) => c.id));
    expect(await ids(`${few}* ${many}*`, true)).to.deep.equal([found[1]!.id]);
    // Through the service, which expands the prefixes itself.
    const page = await search(app.deps, people.secretary.actor, { q: `${few}*` });
    expect(page.items.map((i) => i.consultation.id)).to.have.members(found.map((c) => c.id));
    expect(page.total).to.equal(2);
  });

  it('shows one hit for a draft saved many times: its newest version with the word; an older one only when no newer has it', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const kept = `fastholdt${unique()}`;
    const dropped = `strøget${unique()}`;
    let c = await makeConsultation(app.deps, people.secretary.actor, { council: people.council.slug, deadline: deadlineInDays(30) });
    c = await sendEvent(app.deps, people.secretary.actor, c.id, { type: 'START_DRAFTING', version: c.version });
    const bodies = [
      `Første udkast om ${kept} og ${dropped}.`,
      `Andet udkast om ${kept} og ${dropped}.`,
      `Tredje udkast om ${kept}.`,
      `Fjerde udkast om ${kept}.`,
    ];
    for (const body of bodies) c = await saveDraft(app.deps, people.secretary.actor, c.id, { body, version: c.version });
    const versions = (
      await app.deps.db.selectFrom('response_versions').select('id').where('consultation_id', '=', c.id).orderBy('number').execute()
    ).map((v) => v.id);
    const all = await search(app.deps, people.secretary.actor, { q: kept });
    expect(all.items.map((i) => [i.kind, i.sourceId])).to.deep.equal([['response', String(versions[3])]]);
    expect(all.total).to.equal(1);
    const older = await search(app.deps, people.secretary.actor, { q: dropped, kind: 'response' });
    expect(older.items.map((i) => i.sourceId)).to.deep.equal([String(versions[1])]);
    expect(older.total).to.equal(1);
  });

  it('keeps a consultation\u2019s text findable when it is edited after state changes, and a state change keeps the ranking text', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const word = `omdøbt${unique()}`;
    let c = await makeConsultation(app.deps, people.secretary.actor, {
      council: people.council.slug,
      title: `Plan ${word}`,
      deadline: deadlineInDays(30),
    });
    c = await sendEvent(app.deps, people.secretary.actor, c.id, { type: 'START_DRAFTING', version: c.version });
    const afterState = await search(app.deps, people.secretary.actor, { q: word });
    expect(afterState.items.map((i) => [i.kind, i.consultation.state])).to.deep.equal([['consultation', 'drafting']]);
    const other = `andet${unique()}`;
    await app.deps.db
      .updateTable('consultations')
      .set({ title: `Plan ${other}` })
      .where('id', '=', c.id)
      .execute();
    expect((await search(app.deps, people.secretary.actor, { q: word })).items).to.deep.equal([]);
    expect((await search(app.deps, people.secretary.actor, { q: other, state: 'drafting' })).items.map((i) => i.consultation.id)).to.deep.equal([
      c.id,
    ]);
  });

  it('refuses a forged cursor and reads query words safely', async () => {
    const people = await makeCouncilWithPeople(app.deps.db);
    const error = await search(app.deps, people.secretary.actor, { q: 'x', cursor: 'bm9ubw' }).catch((e: unknown) => e);
    expect(error).to.have.property('code', 'VALIDATION_FAILED');
    expect(queryWords(`a'b | !c & d:* e*`)).to.deep.equal([
      { word: 'ab', prefix: false },
      { word: 'c', prefix: false },
      { word: 'd', prefix: true },
      { word: 'e', prefix: true },
    ]);
    expect((await search(app.deps, people.secretary.actor, { q: `'):* | & !` })).items).to.deep.equal([]);
    expect(snippetParts('a \uE000b\uE001 c')).to.deep.equal([
      { text: 'a ', mark: false },
      { text: 'b', mark: true },
      { text: ' c', mark: false },
    ]);
  });
  it('scopes every lexeme of a query to one council and year, whatever the lexeme holds, and keeps a prefix a prefix', async () => {
    const lexemes = `'it''s' 'c:\\\\d' 'a/b' 'strategien'`;
    const query = `'it''s' & 'c:\\\\d' & 'a/b' & 'strat':*`;
    const { rows } = await sql<Record<string, boolean>>`
      with v as (select cast(${lexemes} as tsvector) as tsv, cast(${query} as tsquery) as q)
      select search_scoped(7, 2026, tsv) @@ search_scoped_query(q, 7, 2026) as own,
        search_scoped(7, 2026, tsv) @@ search_scoped_query(q, 7, 2025) as other_year,
        search_scoped(7, 2026, tsv) @@ search_scoped_query(q, 72, 2026) as other_council,
        search_scoped(null, 2026, tsv) @@ search_scoped_query(q, null, 2026) as unassigned,
        search_scoped(null, 2026, tsv) @@ search_scoped_query(q, 7, 2026) as unassigned_as_council,
        search_scoped(7, 2026, tsv) @@ search_scoped_query(cast('strategier' as tsquery), 7, 2026) as longer_word
      from v`.execute(app.deps.db);
    expect(rows[0]).to.deep.equal({
      own: true,
      other_year: false,
      other_council: false,
      unassigned: true,
      unassigned_as_council: false,
      longer_word: false,
    });
  });
});
