import { z } from 'zod';
import { eventSchema, newConsultationSchema, saveDraftSchema } from '../domain/consultations/schemas.ts';
import { EVENT_TYPES, STATES } from '../../workflows/consultation.machine.ts';
import { listConsultationsQuery } from './routes/api/consultations.schemas.ts';

const errorSchema = z
  .object({
    error: z.object({
      code: z.enum([
        'VALIDATION_FAILED',
        'MALFORMED_REQUEST',
        'UNAUTHENTICATED',
        'FORBIDDEN',
        'NOT_FOUND',
        'STALE_VERSION',
        'TRANSITION_NOT_ALLOWED',
        'TOO_MANY_REQUESTS',
        'SERVICE_UNAVAILABLE',
        'INTERNAL',
      ]),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })),
      requestId: z.string().optional(),
      currentVersion: z.number().optional(),
    }),
  })
  .meta({ id: 'Error' });

const consultationSchema = z
  .object({
    id: z.uuid(),
    reference: z.string().nullable(),
    title: z.string(),
    authority: z.string(),
    authorityReference: z.string().nullable(),
    authorityEmail: z.string().nullable(),
    receivedAt: z.iso.date(),
    deadline: z.iso.datetime({ offset: true }),
    summary: z.string().nullable(),
    sourceUrl: z.string().nullable(),
    state: z.enum(STATES),
    version: z.number().int(),
    council: z.object({ slug: z.string(), name: z.string() }).nullable(),
    assignee: z.object({ email: z.string(), name: z.string() }).nullable(),
    draft: z
      .object({ number: z.number().int(), body: z.string(), savedAt: z.iso.datetime(), savedBy: z.string().nullable() })
      .nullable()
      .optional()
      .meta({ description: 'The newest draft, in GET /consultations/{id} and after a change; absent for municipal staff, who never see drafts' }),
    daysLeft: z.number().int().meta({
      description:
        'Calendar days from today to the deadline’s date, in Danish time: 0 on the day, negative after it. `due_soon` counts working days: Monday to Friday except Danish public holidays, 5 June, 24 and 31 December',
    }),
    deadlineStatus: z.enum(['ok', 'due_soon', 'overdue', 'closed']),
    allowedEvents: z.array(z.enum(EVENT_TYPES)),
    timeline: z
      .array(
        z.object({
          at: z.iso.datetime(),
          actor: z.string().nullable(),
          type: z.string(),
          from: z.string().nullable(),
          to: z.string().nullable(),
          comment: z.string().nullable(),
        }),
      )
      .optional(),
    statusUrl: z.url().optional().meta({
      description:
        'Public read-only status page; in the answers of GET /consultations/{id} and POST /consultations, only for the council secretary, chair and admins',
    }),
  })
  .meta({ id: 'Consultation' });

type JsonSchema = Record<string, unknown>;

// Named schemas (zod `.meta({ id })`) become components; everything else is inlined.
const components: Record<string, JsonSchema> = {};

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const generated = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'openapi-3.0',
  }) as JsonSchema;
  const { definitions, $defs, ...rest } = generated as JsonSchema & { definitions?: Record<string, JsonSchema>; $defs?: Record<string, JsonSchema> };
  Object.assign(components, definitions ?? {}, $defs ?? {});
  return JSON.parse(
    JSON.stringify(rest).replaceAll('#/definitions/', '#/components/schemas/').replaceAll('#/$defs/', '#/components/schemas/'),
  ) as JsonSchema;
}

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => ({ 'application/json': { schema: toSchema(schema, io) } });
const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [String(code), { description: 'Error', content: json(errorSchema) }]));

/**
 * The server URL of the OpenAPI document: `PUBLIC_URL` when set; otherwise the relative URL `/`,
 * which OpenAPI resolves against wherever the client fetched the document from. Never a request's
 * Host header: a document built from one client's Host would hand its host to every other client.
 */
export function openApiServerUrl(config: { publicUrl: string | undefined }): string {
  return config.publicUrl ?? '/';
}

/**
 * The OpenAPI 3 document of API v1, generated from the same zod schemas that validate the
 * requests, so the documentation cannot drift from the code.
 */
export function buildOpenApiDocument(serverUrl = '/') {
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const listParams = Object.entries((toSchema(listConsultationsQuery, 'input') as { properties: Record<string, unknown> }).properties).map(
    ([name, schema]) => ({ name, in: 'query', required: false, schema }),
  );
  const paths = buildPaths(idParam, listParams);
  return {
    openapi: '3.0.3',
    info: {
      title: 'Rådssvar API',
      version: '1.0.0',
      description:
        'Consultations (høringer) and their responses. Authenticate with `Authorization: Bearer <token>` from `npm run --silent cli -- token create`.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { ...components } },
    paths,
  };
}

function buildPaths(idParam: JsonSchema, listParams: JsonSchema[]) {
  return {
    '/api/v1/consultations': {
      get: {
        summary: 'Consultations the caller may see, soonest deadline first',
        parameters: listParams,
        responses: {
          '200': { description: 'A page', content: json(z.object({ items: z.array(consultationSchema), nextCursor: z.string().nullable() })) },
          ...errors(401, 422),
        },
      },
      post: {
        summary: 'Register a consultation (assigned at once when `council` is given)',
        requestBody: { required: true, content: json(newConsultationSchema, 'input') },
        responses: { '201': { description: 'Created', content: json(consultationSchema) }, ...errors(400, 401, 403, 422) },
      },
    },
    '/api/v1/consultations/{id}': {
      get: {
        summary: 'One consultation with its draft and timeline',
        parameters: [idParam],
        responses: { '200': { description: 'The consultation', content: json(consultationSchema) }, ...errors(401, 404) },
      },
    },
    '/api/v1/consultations/{id}/draft': {
      put: {
        summary: 'Save the draft as a new response version (only in drafting)',
        parameters: [idParam],
        requestBody: { required: true, content: json(saveDraftSchema, 'input') },
        responses: { '200': { description: 'The consultation', content: json(consultationSchema) }, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    '/api/v1/consultations/{id}/events': {
      post: {
        summary: 'Send a workflow event',
        parameters: [idParam],
        requestBody: { required: true, content: json(eventSchema, 'input') },
        responses: { '200': { description: 'The consultation', content: json(consultationSchema) }, ...errors(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    '/api/v1/consultations/{id}/response.pdf': {
      get: {
        summary: 'The archived response letter (PDF); 404 before submission',
        parameters: [idParam, { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'The PDF exactly as archived; `ETag: "sha256-<hex>"`, file name `Hoeringssvar-<reference>.pdf`',
            headers: { ETag: { schema: { type: 'string' } }, 'Content-Disposition': { schema: { type: 'string' } } },
            content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
          },
          '304': { description: 'If-None-Match named the archived letter' },
          ...errors(401, 404),
        },
      },
    },
  };
}
