import { z } from 'zod';
import { eventSchema, newConsultationSchema, saveDraftSchema, voteSchema } from '../domain/consultations/schemas.ts';
import { httpStatusOf, ERROR_CODES } from '../domain/errors.ts';
import { consultationJsonSchema, consultationPageJsonSchema, errorJsonSchema } from './presenters/consultation-json.ts';
import { listConsultationsQuery } from './routes/api/consultations.schemas.ts';
import { searchQuerySchema } from '../domain/search/service.ts';
import { searchPageJsonSchema } from './presenters/search-json.ts';

type JsonSchema = Record<string, unknown>;

/**
 * One zod schema as an OpenAPI 3.1 schema (JSON Schema 2020-12, zod's own target). Named schemas
 * (zod `.meta({ id })`) go into `components` and are referenced; everything else is inlined.
 */
function toSchema(components: Record<string, JsonSchema>, schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const {
    $schema: _dialect,
    $defs,
    ...rest
  } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema & {
    $defs?: Record<string, JsonSchema>;
  };
  const referenced = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  for (const [name, definition] of Object.entries($defs ?? {})) components[name] = referenced(definition);
  return referenced(rest);
}

// The codes that answer with each status, for the description of each error response.
const codesOf = (status: number) => ERROR_CODES.filter((code) => httpStatusOf(code) === status);

const RETRY_AFTER = { description: 'Seconds to wait before trying again', required: true, schema: { type: 'integer', minimum: 0 } };

/** The error answers an operation can give, each the `Error` schema; 401, 429 (the key's rate limit), 500 and 503 are common to every operation. */
function errorResponses(json: (schema: z.ZodType) => JsonSchema, statuses: number[]) {
  const headersOf: Record<number, JsonSchema> = {
    401: { 'WWW-Authenticate': { description: 'Bearer realm="raadssvar"', required: true, schema: { type: 'string' } } },
    429: { 'Retry-After': RETRY_AFTER },
    503: { 'Retry-After': RETRY_AFTER },
  };
  return Object.fromEntries(
    [...new Set([...statuses, 401, 429, 500, 503])]
      .sort((a, b) => a - b)
      .map((status) => [
        String(status),
        {
          description: `Error: ${codesOf(status).join(', ')}`,
          ...(headersOf[status] ? { headers: headersOf[status] } : {}),
          content: json(errorJsonSchema),
        },
      ]),
  );
}

/**
 * The server URL of the OpenAPI document: `PUBLIC_URL` when set; otherwise the relative URL `/`,
 * which OpenAPI resolves against wherever the client fetched the document from. Never a request's
 * Host header: a document built from one client's Host would hand its host to every other client.
 */
export function openApiServerUrl(config: { publicUrl: string | undefined }): string {
  return config.publicUrl ?? '/';
}

/**
 * The OpenAPI 3.1 document of API v1, generated from the same zod schemas that validate the
 * requests and type the answers (src/http/presenters/consultation-json.ts), so the document cannot
 * drift from the code.
 */
export function buildOpenApiDocument(serverUrl = '/') {
  const components: Record<string, JsonSchema> = {};
  const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => ({ 'application/json': { schema: toSchema(components, schema, io) } });
  const errors = (...statuses: number[]) => errorResponses(json, statuses);
  const consultation = (description: string) => ({ description, content: json(consultationJsonSchema) });
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const listParams = Object.entries(
    (toSchema(components, listConsultationsQuery, 'input') as { properties: Record<string, unknown> }).properties,
  ).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
  const searchParams = Object.entries((toSchema(components, searchQuerySchema, 'input') as { properties: Record<string, unknown> }).properties).map(
    ([name, schema]) => ({ name, in: 'query', required: false, schema }),
  );
  const paths = {
    '/api/v1/search': {
      get: {
        operationId: 'search',
        summary:
          'Danish full-text search over everything the caller may see: consultations, response versions, comments and document text; ranked, with snippets; an empty `q` gives an empty page',
        parameters: searchParams,
        responses: { '200': { description: 'A page of results', content: json(searchPageJsonSchema) }, ...errors(422) },
      },
    },
    '/api/v1/consultations': {
      get: {
        operationId: 'listConsultations',
        summary: 'Consultations the caller may see, soonest deadline first',
        parameters: listParams,
        responses: { '200': { description: 'A page', content: json(consultationPageJsonSchema) }, ...errors(422) },
      },
      post: {
        operationId: 'registerConsultation',
        summary: 'Register a consultation (assigned at once when `council` is given)',
        requestBody: { required: true, content: json(newConsultationSchema, 'input') },
        responses: {
          '201': {
            ...consultation('Created'),
            headers: { Location: { description: 'The new consultation', required: true, schema: { type: 'string' } } },
          },
          ...errors(400, 403, 413, 422),
        },
      },
    },
    '/api/v1/consultations/{id}': {
      get: {
        operationId: 'getConsultation',
        summary: 'One consultation with its draft and timeline',
        parameters: [idParam],
        responses: { '200': consultation('The consultation'), ...errors(404, 422) },
      },
    },
    '/api/v1/consultations/{id}/draft': {
      put: {
        operationId: 'saveDraft',
        summary: 'Save the draft as a new response version (only in drafting)',
        parameters: [idParam],
        requestBody: { required: true, content: json(saveDraftSchema, 'input') },
        responses: { '200': consultation('The consultation'), ...errors(400, 403, 404, 409, 413, 422) },
      },
    },
    '/api/v1/consultations/{id}/events': {
      post: {
        operationId: 'sendEvent',
        summary: 'Send a workflow event',
        parameters: [idParam],
        requestBody: { required: true, content: json(eventSchema, 'input') },
        responses: { '200': consultation('The consultation'), ...errors(400, 403, 404, 409, 413, 422) },
      },
    },
    '/api/v1/consultations/{id}/written-procedure/votes': {
      post: {
        operationId: 'castVote',
        summary:
          'Vote in the running written procedure (the council’s chair and members asked when it started); the last vote counts. ' +
          'The vote that completes the voters closes it at once. 403 NOT_A_VOTER, 409 WRITTEN_PROCEDURE_CLOSED once it has closed or was cancelled, 422 TRANSITION_NOT_ALLOWED when none was started',
        parameters: [idParam],
        requestBody: { required: true, content: json(voteSchema, 'input') },
        responses: { '200': consultation('The consultation'), ...errors(400, 403, 404, 409, 413, 422) },
      },
    },
    '/api/v1/consultations/{id}/response.pdf': {
      get: {
        operationId: 'getResponseLetter',
        summary: 'The archived response letter (PDF); 404 before submission',
        parameters: [idParam, { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'The PDF exactly as archived; `ETag: "sha256-<hex>"`, file name `Hoeringssvar-<reference>.pdf`',
            headers: {
              ETag: { required: true, schema: { type: 'string' } },
              'Content-Disposition': { required: true, schema: { type: 'string' } },
            },
            content: { 'application/pdf': { schema: { type: 'string', contentMediaType: 'application/pdf' } } },
          },
          '304': { description: 'If-None-Match named the archived letter' },
          ...errors(404, 422),
        },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rådssvar API',
      version: '1.0.0',
      description:
        'Consultations (høringer) and their responses. Authenticate with `Authorization: Bearer <token>` from `npm run --silent cli -- token create`.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token from the admin CLI' } },
      schemas: components,
    },
  };
}
