import { expect } from 'chai';
import { createDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testDatabaseUrl } from '../support/db.ts';
import { makeConsultationInState, makeCouncilWithPeople, makeUser } from '../support/factories.ts';
import { WebSession } from '../support/web-session.ts';

// The most statements one GET /consultations/:id may run per role, all of them counted: the
// session read together with the actor's roles, the page itself. Raise a limit only for a reason the
// page shows.
const LIMITS = { secretary: 3, chair: 3, member: 3, staff: 2, admin: 3 } as const;

function isWrite(sql: string): boolean {
  return /^\s*(insert|update|delete|merge)\b/i.test(sql) || /\bfor (update|share)\b/i.test(sql);
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

describe('queries of one consultation page view', () => {
  let handle: DatabaseHandle;
  let app: TestApp;
  let recording: string[] | null = null;

  before(async () => {
    // A pool of its own whose Kysely logs every statement, so the count is this app's alone.
    handle = createDatabase(testDatabaseUrl(), {
      max: 4,
      log: (event) => {
        recording?.push(event.query.sql);
      },
    });
    app = await startTestApp({ database: handle });
  });
  after(async () => {
    await app.close();
    await handle.close();
  });

  async function pageView(web: WebSession, path: string): Promise<{ queries: string[]; text: string }> {
    recording = [];
    const response = await web.get(path);
    expect(response.status).to.equal(200);
    // The session's expiry is moved without waiting; give such a write time to show up.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const queries = recording;
    recording = null;
    return { queries, text: response.text };
  }

  for (const role of ['secretary', 'chair', 'member', 'staff', 'admin'] as const) {
    it(`runs at most ${LIMITS[role]} statements when the ${role} views it, none of them a write`, async () => {
      const people = await makeCouncilWithPeople(handle.db);
      const c = await makeConsultationInState(app.deps, people, 'awaiting_approval');
      const web = new WebSession(app.baseUrl);
      const viewer = role === 'admin' ? await makeUser(handle.db, { admin: true }) : people[role];
      await web.logIn(viewer.email, viewer.password);
      const path = `/consultations/${c.id}`;
      const first = (await pageView(web, path)).queries;
      const { queries: second, text } = await pageView(web, path);
      if (process.env.SHOW_QUERIES) console.log(role, first.length, second.length, `\n  ${second.join('\n  ')}`);
      // The first page after the login stores the session's new CSRF token (the login started a
      // new session); that is the login's state, and it is not counted. Nothing else is written.
      const [sessionWrites, counted] = partition(first, (sql) => /^\s*insert into "session"/i.test(sql));
      expect(sessionWrites.length).to.be.at.most(1);
      for (const queries of [counted, second]) {
        expect(queries.length, queries.join('\n')).to.be.at.most(LIMITS[role]);
        expect(queries.filter(isWrite), 'a GET writes nothing').to.deep.equal([]);
      }
      // The status link is read with the consultation and shown to those who may hand it out.
      expect(text.includes('/status/')).to.equal(role !== 'member' && role !== 'staff');
      // Staff may not read the council's internals, so they are not even read for them.
      if (role === 'staff') expect(second.filter((sql) => sql.includes('draft_comments'))).to.deep.equal([]);
      else expect(second.filter((sql) => sql.includes('draft_comments'))).to.have.length(1);
    });
  }

  it(`runs at most ${LIMITS.secretary} statements when the secretary drafts beside earlier responses, read with the internals`, async () => {
    const people = await makeCouncilWithPeople(handle.db);
    await makeConsultationInState(app.deps, people, 'submitted', { title: 'Integrationsstrategi 2022' });
    const c = await makeConsultationInState(app.deps, people, 'drafting');
    const web = new WebSession(app.baseUrl);
    await web.logIn(people.secretary.email, people.secretary.password);
    const path = `/consultations/${c.id}`;
    await pageView(web, path);
    const { queries, text } = await pageView(web, path);
    expect(queries.length, queries.join('\n')).to.be.at.most(LIMITS.secretary);
    expect(queries.filter(isWrite)).to.deep.equal([]);
    expect(text).to.include('Tidligere høringssvar');
    // "Tidligere høringssvar" is a subquery of the internals' statement, not a statement of its own.
    expect(queries.filter((sql) => sql.includes('archived_documents'))).to.have.length(1);
    expect(queries.filter((sql) => sql.includes('archived_documents'))[0]).to.include('draft_comments');
  });
});
