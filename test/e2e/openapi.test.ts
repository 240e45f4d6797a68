import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import openapiTS, { astToString } from 'openapi-typescript';
import { newConsultationSchema, eventSchemas } from '../../src/domain/consultations/schemas.ts';
import { ERROR_CODES } from '../../src/domain/errors.ts';
import { ApiContract, contractOf, OPENAPI_PATH } from '../support/api-contract.ts';
import { useTestApp } from '../support/app.ts';
import { testDatabase } from '../support/db.ts';
import { apiTokenFor, deadlineInDays, makeCouncilWithPeople } from '../support/factories.ts';

type Json = any;

const OPERATIONS = {
  'GET /api/v1/consultations': 'listConsultations',
  'GET /api/v1/search': 'search',
  'POST /api/v1/consultations': 'registerConsultation',
  'GET /api/v1/consultations/{id}': 'getConsultation',
  'PUT /api/v1/consultations/{id}/draft': 'saveDraft',
  'POST /api/v1/consultations/{id}/events': 'sendEvent',
  'POST /api/v1/consultations/{id}/written-procedure/votes': 'castVote',
  'GET /api/v1/consultations/{id}/response.pdf': 'getResponseLetter',
};

describe('GET /api/openapi.json', () => {
  const app = useTestApp();
  let doc: Json;
  let token: string;
  let councilSlug: string;

  before(async () => {
    const response = await fetch(`${app.baseUrl}${OPENAPI_PATH}`);
    expect(response.status).to.equal(200);
    doc = await response.json();
    const people = await makeCouncilWithPeople(testDatabase().db);
    token = await apiTokenFor(testDatabase().db, people.secretary.email);
    councilSlug = people.council.slug;
  });

  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(`${app.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  it('describes every v1 route, generated from the request schemas', () => {
    expect(doc.openapi).to.equal('3.1.0');
    expect(Object.keys(doc.paths)).to.have.members([
      '/api/v1/search',
      '/api/v1/consultations',
      '/api/v1/consultations/{id}',
      '/api/v1/consultations/{id}/draft',
      '/api/v1/consultations/{id}/events',
      '/api/v1/consultations/{id}/written-procedure/votes',
      '/api/v1/consultations/{id}/response.pdf',
    ]);
    expect(JSON.stringify(doc)).not.to.include('#/$defs/').and.not.include('"nullable"');
    // The documented required fields are exactly the ones the validator rejects when missing.
    const documented: string[] = doc.components.schemas.NewConsultation.required;
    const parsed = newConsultationSchema.safeParse({});
    const rejected = parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0]));
    expect([...documented].sort()).to.deep.equal([...new Set(rejected)].sort());
    // Every event type the validator knows is documented.
    const eventTypes = doc.components.schemas.ConsultationEvent.oneOf.map((s: Json) => s.properties.type.const);
    expect(eventTypes).to.have.members(Object.keys(eventSchemas));
  });

  it('is a valid OpenAPI 3.1 document for @seriousme/openapi-schema-validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors, JSON.stringify(result.errors)).to.equal(undefined);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal('3.1');
  });

  it('names every operation, lists every error code of AppError, and says how to authenticate', () => {
    const operationIds = Object.fromEntries(
      Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
        Object.entries(item).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation.operationId]),
      ),
    );
    expect(operationIds).to.deep.equal(OPERATIONS);
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).to.deep.equal(ERROR_CODES);
    expect(doc.security).to.deep.equal([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).to.include({ type: 'http', scheme: 'bearer' });
    for (const [key, operationId] of Object.entries(OPERATIONS)) {
      const [method, path] = key.split(' ') as [string, string];
      const responses = doc.paths[path][method.toLowerCase()].responses;
      expect(responses['401'].headers, operationId).to.have.property('WWW-Authenticate');
      expect(responses['503'].headers['Retry-After'], operationId).to.include({ required: true });
    }
    for (const operationId of ['registerConsultation', 'saveDraft', 'sendEvent', 'castVote']) {
      const [key] = Object.entries(OPERATIONS).find(([, id]) => id === operationId)!;
      const [method, path] = key.split(' ') as [string, string];
      expect(Object.keys(doc.paths[path][method.toLowerCase()].responses), operationId).to.include.members(['400', '403', '413', '422']);
    }
  });

  it('has a contract check that refuses what the document does not promise', async () => {
    const contract = new ApiContract(doc);
    const created = await api('POST', '/consultations', {
      title: 'Kontraktprøve',
      authority: 'Kommunen',
      deadline: deadlineInDays(40),
      council: councilSlug,
    });
    expect(created.status).to.equal(201);
    const answer = (body: unknown, status = 200, headers: Record<string, string> = {}) => ({
      status,
      headers: new Headers({ 'content-type': 'application/json; charset=utf-8', ...headers }),
      body: JSON.stringify(body),
    });
    const real = JSON.parse(created.text);
    const path = `/api/v1/consultations/${real.id}`;
    expect(contract.check('GET', path, answer(real))).to.equal(null);
    expect(contract.check('GET', path, answer({ ...real, secret: 1 }))).to.match(/must NOT have additional properties \(secret\)/);
    const { updatedAt: _updatedAt, ...withoutUpdatedAt } = real;
    expect(contract.check('GET', path, answer(withoutUpdatedAt))).to.match(/updatedAt/);
    expect(contract.check('GET', path, answer({ ...real, authorityEmail: 'ikke en adresse' }))).to.match(/format/);
    expect(contract.check('GET', path, answer(real, 418))).to.match(/status not documented/);
    const unavailable = { error: { code: 'SERVICE_UNAVAILABLE', message: 'Databasen svarer ikke', details: [] } };
    expect(contract.check('GET', path, answer(unavailable, 503))).to.match(/Retry-After/);
    expect(contract.check('GET', path, answer(unavailable, 503, { 'retry-after': '5' }))).to.equal(null);
    expect(contract.check('GET', path, answer({ error: { ...unavailable.error, code: 'UNHEARD_OF' } }, 503, { 'retry-after': '5' }))).to.match(
      /allowed values/,
    );
    expect(contract.check('DELETE', path, answer(real))).to.match(/must answer 404/);
    // The served document is what the global check uses for every API answer of every test.
    expect(await contractOf(app.baseUrl)).to.be.instanceOf(ApiContract);
  });

  it('gives openapi-typescript a client whose types real answers type-check against', async () => {
    const registered = await api('POST', '/consultations', {
      title: 'Klienttyper',
      authority: 'Kommunen',
      authorityEmail: 'hoering@kommune.dk',
      deadline: deadlineInDays(30),
      council: councilSlug,
    });
    const { id, version } = JSON.parse(registered.text);
    const started = await api('POST', `/consultations/${id}/events`, { type: 'START_DRAFTING', version });
    const saved = await api('PUT', `/consultations/${id}/draft`, { body: 'Rådet støtter forslaget.', version: version + 1 });
    const answers = {
      registered: ['registerConsultation', 201, registered],
      started: ['sendEvent', 200, started],
      saved: ['saveDraft', 200, saved],
      fetched: ['getConsultation', 200, await api('GET', `/consultations/${id}`)],
      page: ['listConsultations', 200, await api('GET', '/consultations?limit=5')],
      refused: ['listConsultations', 422, await api('GET', '/consultations?limit=0')],
      missing: ['getConsultation', 404, await api('GET', '/consultations/00000000-0000-4000-8000-000000000000')],
    } as const;

    const dir = mkdtempSync(join(tmpdir(), 'raadssvar-openapi-client-'));
    try {
      writeFileSync(join(dir, 'schema.ts'), astToString(await openapiTS(doc)));
      const lines = [
        "import type { components, operations } from './schema.ts';",
        "type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;",
        "type Answer<O extends keyof operations, S extends keyof operations[O]['responses']> = JsonOf<operations[O]['responses'][S]>;",
        ...Object.entries(answers).map(([name, [operationId, status, response]]) => {
          expect(response.status, `${name}: ${response.text}`).to.equal(status);
          return `export const ${name}: Answer<'${operationId}', ${status}> = ${response.text};`;
        }),
        // The types are real ones, not `any`: a consultation without its fields does not compile.
        '// @ts-expect-error a consultation has its id, state and the rest',
        "export const notAConsultation: components['schemas']['Consultation'] = { title: 'Uden resten' };",
      ];
      writeFileSync(join(dir, 'client.ts'), `${lines.join('\n')}\n`);
      const tsc = join(process.cwd(), 'node_modules/.bin/tsc');
      const options = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--allowImportingTsExtensions', '--skipLibCheck'];
      // tsc prints its diagnostics to stdout and exits non-zero on any.
      const run = await promisify(execFile)(tsc, [...options, join(dir, 'client.ts')]).catch((error: Error & { stdout?: string }) => ({
        stdout: error.stdout || error.message,
      }));
      expect(run.stdout).to.equal('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
