import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// Every API answer any test receives is checked against the OpenAPI document the app serves, by
// an independent validator (ajv with ajv-formats, JSON Schema 2020-12 as OpenAPI 3.1 uses it).
// The check wraps the global fetch, which every test uses for HTTP, so no API test can skip it:
// a mismatch rejects the test's fetch, and one a test swallowed still fails it in afterEach.

/** The served document's path `/api/openapi.json`; the answers checked are those under `/api/`. */
export const OPENAPI_PATH = '/api/openapi.json';

// ajv-formats is CommonJS: under NodeNext its plugin is the `default` of the module object.
const addFormats = addFormatsModule.default;

interface OpenApiResponse {
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, { schema?: object }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, { operationId?: string; responses: Record<string, OpenApiResponse> }>>;
  components: { schemas: Record<string, object> };
}

// The components as one schema of their own, which the response schemas reference.
const COMPONENTS_ID = 'urn:raadssvar:openapi';
const toComponentRefs = <T>(schema: T): T =>
  JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`)) as T;

/** A compiled check of API answers against one OpenAPI document. */
export class ApiContract {
  readonly #document: OpenApiDocument;
  readonly #ajv = new Ajv2020({ allErrors: true, strict: true });
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #operations: { method: string; template: string; pattern: RegExp }[];

  constructor(document: unknown) {
    this.#document = document as OpenApiDocument;
    addFormats(this.#ajv);
    // The OpenAPI 3.1 base vocabulary: annotations ajv would otherwise call unknown in strict mode.
    this.#ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs']);
    this.#ajv.addSchema({ $id: COMPONENTS_ID, $defs: toComponentRefs(this.#document.components.schemas) });
    this.#operations = Object.entries(this.#document.paths).flatMap(([template, item]) =>
      Object.keys(item).map((method) => ({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      })),
    );
  }

  #validator(key: string, schema: object): ValidateFunction {
    let validate = this.#validators.get(key);
    if (!validate) {
      validate = this.#ajv.compile(toComponentRefs(schema));
      this.#validators.set(key, validate);
    }
    return validate;
  }

  /**
   * What is wrong with an answer to `method path` (no query string), or null when it is what the
   * document promises: a documented status, its required headers, its media type and a body
   * valid against its schema. A path or method the document does not have must be a 404 Error.
   */
  check(method: string, path: string, answer: { status: number; headers: Headers; body: string }): string | null {
    const operation = this.#operations.find((o) => o.method === method && o.pattern.test(path));
    const label = `${method} ${path} → ${answer.status}`;
    if (!operation) {
      if (answer.status !== 404) return `${label}: an operation the document does not have must answer 404`;
      return this.#checkBody(label, 'Error', { schema: { $ref: '#/components/schemas/Error' } }, answer);
    }
    const documented = this.#document.paths[operation.template]![operation.method.toLowerCase()]!;
    const response = documented.responses[String(answer.status)] ?? documented.responses.default;
    if (!response) return `${label}: status not documented for ${documented.operationId ?? operation.template}`;
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      if (header.required && !answer.headers.has(name)) return `${label}: required header ${name} missing`;
    }
    if (!response.content) return answer.body === '' ? null : `${label}: the document promises no body`;
    const mediaType = (answer.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const content = response.content[mediaType];
    if (!content) return `${label}: content type "${mediaType}" not documented (${Object.keys(response.content).join(', ')})`;
    if (mediaType !== 'application/json' || !content.schema) return null;
    return this.#checkBody(label, `${operation.method} ${operation.template} ${answer.status}`, content, answer);
  }

  #checkBody(label: string, key: string, content: { schema?: object }, answer: { body: string }): string | null {
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return `${label}: the body is not JSON`;
    }
    const validate = this.#validator(key, content.schema!);
    if (validate(body)) return null;
    // What and where, naming the property ajv found extra or missing; the first few are enough.
    const problems = (validate.errors ?? []).slice(0, 5).map((error) => {
      const { additionalProperty } = error.params as { additionalProperty?: string };
      return `body${error.instancePath} ${error.message}${additionalProperty ? ` (${additionalProperty})` : ''}`;
    });
    return `${label}: ${problems.join('; ')}`;
  }
}

const realFetch = globalThis.fetch.bind(globalThis);
const contracts = new Map<string, Promise<ApiContract>>();
const counts = new Map<string, number>();
let mismatchesInTest: string[] = [];

/** The contract of the app at `origin`, from the document it serves (fetched once per app). */
export function contractOf(origin: string): Promise<ApiContract> {
  let contract = contracts.get(origin);
  if (!contract) {
    contract = realFetch(`${origin}${OPENAPI_PATH}`).then(async (response) => {
      if (response.status !== 200) throw new Error(`${origin}${OPENAPI_PATH} answered ${response.status}`);
      return new ApiContract(await response.json());
    });
    contracts.set(origin, contract);
    // A failed fetch (an app that is not up yet) is tried again on the next call.
    contract.catch(() => contracts.delete(origin));
  }
  return contract;
}

function requestOf(input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1]): { url: URL; method: string } {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  return { url, method };
}

const isCheckedApiCall = (url: URL) =>
  (url.hostname === '127.0.0.1' || url.hostname === 'localhost') && url.pathname.startsWith('/api/') && url.pathname !== OPENAPI_PATH;

/** fetch, and for an answer of the API the check against the app's served OpenAPI document. */
const checkedFetch: typeof fetch = async (input, init) => {
  const { url, method } = requestOf(input, init);
  if (!isCheckedApiCall(url)) return realFetch(input, init);
  // The document beside the request, which goes out at once as without the check (a test may time
  // what the app does while the request is under way).
  const [contract, response] = await Promise.all([contractOf(url.origin), realFetch(input, init)]);
  let body: string;
  try {
    body = await response.clone().text();
  } catch {
    // The test aborted or the app went away mid-body: the test sees that itself on its copy.
    return response;
  }
  const mismatch = contract.check(method, url.pathname, { status: response.status, headers: response.headers, body });
  if (mismatch) {
    mismatchesInTest.push(mismatch);
    throw new Error(`The API answer does not match its OpenAPI document: ${mismatch}`);
  }
  const key = `${method} ${url.pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '{id}')} ${response.status}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
  return response;
};

/** Installs the checked fetch for the whole test run (test/support/global-hooks.ts). */
export function installApiContractCheck(): void {
  globalThis.fetch = checkedFetch;
}

/** How many API answers were checked so far, and how many per method, path and status. */
export function apiContractCounts(): { total: number; byCall: Record<string, number> } {
  const byCall = Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
  return { total: [...counts.values()].reduce((sum, n) => sum + n, 0), byCall };
}

/** Root hooks: a mismatch fails its test even when the test caught the rejected fetch; the count is printed and written at the end. */
export const apiContractHooks = {
  beforeEach(): void {
    mismatchesInTest = [];
  },
  afterEach(this: Mocha.Context): void {
    const mismatches = mismatchesInTest;
    mismatchesInTest = [];
    // A test that failed already failed on its rejected fetch (or for a reason of its own).
    if (mismatches.length > 0 && this.currentTest?.state === 'passed')
      throw new Error(`API answers that do not match the OpenAPI document:\n${mismatches.join('\n')}`);
  },
  afterAll(): void {
    const { total, byCall } = apiContractCounts();
    if (total === 0) return;
    process.stdout.write(`  API-svar valideret mod OpenAPI-dokumentet (ajv): ${total}\n`);
    mkdirSync('test/artifacts', { recursive: true });
    writeFileSync(join('test/artifacts', 'api-contract.json'), `${JSON.stringify({ validatedAnswers: total, byCall }, null, 2)}\n`);
  },
};
