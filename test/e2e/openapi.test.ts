import { expect } from 'chai';
import { newConsultationSchema, eventSchemas } from '../../src/domain/consultations/schemas.ts';
import { useTestApp } from '../support/app.ts';

describe('GET /api/openapi.json', () => {
  const app = useTestApp();

  it('describes every v1 route, generated from the request schemas', async () => {
    const response = await fetch(`${app.baseUrl}/api/openapi.json`);
    expect(response.status).to.equal(200);
    const doc = await response.json();
    expect(doc.openapi).to.match(/^3\./);
    expect(Object.keys(doc.paths)).to.have.members([
      '/api/v1/consultations',
      '/api/v1/consultations/{id}',
      '/api/v1/consultations/{id}/draft',
      '/api/v1/consultations/{id}/events',
      '/api/v1/consultations/{id}/response.pdf',
    ]);
    expect(JSON.stringify(doc)).not.to.include('#/definitions/');
    // The documented required fields are exactly the ones the validator rejects when missing.
    const documented: string[] = doc.components.schemas.NewConsultation.required;
    const parsed = newConsultationSchema.safeParse({});
    const rejected = parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0]));
    expect([...documented].sort()).to.deep.equal([...new Set(rejected)].sort());
    // Every event type the validator knows is documented.
    const eventTypes = doc.components.schemas.ConsultationEvent.oneOf.map((s: any) => s.properties.type.enum[0]);
    expect(eventTypes).to.have.members(Object.keys(eventSchemas));
  });
});
