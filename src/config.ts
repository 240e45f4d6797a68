import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from './db/database.ts';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Debian's chromium-headless-shell (apt-get install chromium-headless-shell), the binary itself
 * rather than /usr/bin's wrapper script, so that the process Puppeteer starts, watches and kills
 * is Chromium and not a shell.
 */
export const DEFAULT_CHROMIUM_PATH = '/usr/lib/chromium/chromium-headless-shell';

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/**
 * The PEM blocks of a variable: whole PEM text (newlines or a literal \n, which one-line .env files
 * need), several blocks for a certificate rollover, or a certificate's bare base64 body as IdPs'
 * metadata prints it.
 */
function pemBlocks(text: string, label: 'CERTIFICATE' | 'PRIVATE KEY'): string[] {
  const normalised = text.replace(/\\n/g, '\n').trim();
  const blocks = normalised.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g);
  if (blocks) return blocks;
  const body = normalised.replace(/\s+/g, '');
  return [`-----BEGIN ${label}-----\n${body.replace(/(.{64})/g, '$1\n').trim()}\n-----END ${label}-----`];
}

const certificates = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .max(50_000)
    .transform((text, ctx) => {
      const blocks = pemBlocks(text, 'CERTIFICATE');
      try {
        for (const block of blocks) new X509Certificate(block);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'skal være et X.509-certifikat (PEM eller base64)' });
        return z.NEVER;
      }
      return blocks;
    })
    .optional(),
);

const privateKey = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .max(50_000)
    .transform((text, ctx) => {
      const [block] = pemBlocks(text, 'PRIVATE KEY');
      try {
        createPrivateKey(block!);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'skal være en privat nøgle i PEM' });
        return z.NEVER;
      }
      return block!;
    })
    .optional(),
);

/** A SAML attribute's name (a URI or urn:oid:…), or "nameid" for the subject's NameID. */
const samlAttribute = (fallback: string) => z.preprocess(emptyAsUndefined, z.string().trim().min(1).max(300).default(fallback));

/** The names Express (proxy-addr) gives to address ranges in its `trust proxy` setting. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** True for an IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
function isAddressOrRange(item: string): boolean {
  const [address, bits, extra] = item.split('/');
  if (extra !== undefined || !address || !isIP(address)) return false;
  if (bits === undefined) return true;
  const max = isIP(address) === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

/**
 * TRUST_PROXY in Express's `trust proxy` syntax: a number of proxy hops, or a comma-separated list
 * of addresses, CIDR ranges and the names loopback, linklocal, uniquelocal. Unset: no proxy is
 * trusted, so X-Forwarded-For and X-Forwarded-Proto are ignored and a client cannot choose the
 * address the login throttle counts. `true` (trust everyone) is refused for the same reason.
 */
const trustProxySchema = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx): number | string | false => {
      if (value === undefined) return false;
      if (/^\d+$/.test(value)) return Number(value);
      const items = value.split(',').map((item) => item.trim());
      const bad = items.find((item) => !PROXY_RANGE_NAMES.has(item) && !isAddressOrRange(item));
      if (bad !== undefined) {
        ctx.addIssue({ code: 'custom', message: `"${bad}" er hverken et antal, en adresse, et adresseområde eller loopback/linklocal/uniquelocal` });
        return z.NEVER;
      }
      return items.join(', ');
    }),
);

const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
    ACCESSIBILITY_STATEMENT_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
    TRUST_PROXY: trustProxySchema,
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'skal være en postgres://-adresse')
        .optional(),
    ),
    // Database roles and limits (src/db/roles.ts, src/db/database.ts).
    DATABASE_OWNER_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'skal være en postgres://-adresse')
        .optional(),
    ),
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(DEFAULT_DATABASE_TIMEOUTS.connectMs),
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(DEFAULT_DATABASE_TIMEOUTS.statementMs),
    DATABASE_IDLE_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(DEFAULT_DATABASE_TIMEOUTS.idleInTransactionMs),
    DATA_DIR: z.string().min(1).default('./data'),
    EMBEDDED_PG_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1024).max(65535).optional()),
    SESSION_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'skal være mindst 32 tegn').optional()),
    CHROMIUM_PATH: z.string().min(1).default(DEFAULT_CHROMIUM_PATH),
    LOG_LEVEL: z.enum(logLevels).default('info'),
    SEED_DEMO: z.preprocess(emptyAsUndefined, z.enum(['auto', 'always', 'never']).default('auto')),
    SMTP_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^smtps?:\/\//, 'skal være en smtp://- eller smtps://-adresse')
        .optional(),
    ),
    MAIL_FROM: z.preprocess(emptyAsUndefined, z.string().min(3).default('Rådssvar <noreply@raadssvar.local>')),
    SHUTDOWN_GRACE_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().min(0).max(3600).default(10)),
    API_REQUESTS_PER_MINUTE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1_000_000).default(600)),
    OIDC_ISSUER: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
    OIDC_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().max(500).optional()),
    OIDC_CLIENT_SECRET: z.preprocess(emptyAsUndefined, z.string().max(2000).optional()),
    OIDC_LABEL: z.preprocess(emptyAsUndefined, z.string().max(100).default('Log ind med kommunens login')),
    SAML_ENTRY_POINT: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
    SAML_IDP_ISSUER: z.preprocess(emptyAsUndefined, z.string().trim().min(1).max(500).optional()),
    SAML_IDP_CERT: certificates,
    SAML_LOGOUT_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
    SAML_EMAIL_ATTRIBUTE: samlAttribute('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'),
    SAML_NAME_ATTRIBUTE: samlAttribute('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'),
    SAML_SP_PRIVATE_KEY: privateKey,
    SAML_SP_CERT: certificates,
    SAML_LABEL: z.preprocess(emptyAsUndefined, z.string().max(100).default('Log ind med kommunens login (SAML)')),
  })
  .superRefine((env, ctx) => {
    if (env.DATABASE_OWNER_URL && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_OWNER_URL'], message: 'kræver DATABASE_URL (appens egen rolle)' });
    }
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'OIDC_ISSUER, OIDC_CLIENT_ID og OIDC_CLIENT_SECRET sættes sammen' });
    }
    if (env.NODE_ENV === 'production' && env.OIDC_ISSUER && !env.OIDC_ISSUER.startsWith('https://')) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'skal være en https-adresse når NODE_ENV=production' });
    }
    const saml = [env.SAML_ENTRY_POINT, env.SAML_IDP_ISSUER, env.SAML_IDP_CERT];
    if (saml.some(Boolean) && !saml.every(Boolean)) {
      ctx.addIssue({ code: 'custom', path: ['SAML_ENTRY_POINT'], message: 'SAML_ENTRY_POINT, SAML_IDP_ISSUER og SAML_IDP_CERT sættes sammen' });
    }
    if (Boolean(env.SAML_SP_PRIVATE_KEY) !== Boolean(env.SAML_SP_CERT)) {
      ctx.addIssue({ code: 'custom', path: ['SAML_SP_PRIVATE_KEY'], message: 'SAML_SP_PRIVATE_KEY og SAML_SP_CERT sættes sammen' });
    }
    for (const name of ['SAML_ENTRY_POINT', 'SAML_LOGOUT_URL'] as const) {
      if (env.NODE_ENV === 'production' && env[name] && !env[name].startsWith('https://')) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'skal være en https-adresse når NODE_ENV=production' });
      }
    }
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'skal sættes når NODE_ENV=production' });
    }
  });

export type Config = {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  publicUrl: string | undefined;
  /** The installation's accessibility statement (tilgængelighedserklæring), linked from every page's footer; undefined: not linked. */
  accessibilityStatementUrl: string | undefined;
  /**
   * Express's `trust proxy` setting: which proxies' X-Forwarded-* headers are believed (a hop
   * count or an address list); false (the default) believes none.
   */
  trustProxy: number | string | false;
  /** The app's connection (a role with only the grants of src/db/roles.ts); unset means the embedded PostgreSQL. */
  databaseUrl: string | undefined;
  /** The schema owner's connection, for migrations and grants; unset means DATABASE_URL is the owner too. */
  databaseOwnerUrl: string | undefined;
  databaseTimeouts: DatabaseTimeouts;
  dataDir: string;
  /** A TCP port for the embedded PostgreSQL besides its socket; unset means the socket only. */
  embeddedPgPort: number | undefined;
  sessionSecret: string;
  chromiumPath: string;
  logLevel: (typeof logLevels)[number];
  seedDemo: 'auto' | 'always' | 'never';
  /** SMTP server for outgoing mail; unset means .eml files in DATA_DIR/mail. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** On SIGTERM/SIGINT: how long requests and jobs under way may take to finish before they are cut off. */
  shutdownGraceSeconds: number;
  /** How many API requests one API key may make per minute (per app process); more get 429. */
  apiRequestsPerMinute: number;
  /** The municipality's OpenID Connect provider; undefined: no single sign-on. */
  oidc: { issuer: string; clientId: string; clientSecret: string; label: string } | undefined;
  /** The municipality's SAML 2.0 identity provider (KOMBIT, AD FS); undefined: none. */
  saml: SamlConfig | undefined;
};

/** SAML_* of the configuration: the identity provider, and the service provider's own key pair when it signs. */
export interface SamlConfig {
  entryPoint: string;
  idpIssuer: string;
  /** The IdP's signing certificates, PEM (more than one during a rollover). */
  idpCerts: string[];
  logoutUrl: string | undefined;
  emailAttribute: string;
  nameAttribute: string;
  /** Rådssvar's own key and certificate: requests are signed and the certificate is in the metadata. */
  signing: { privateKey: string; cert: string } | undefined;
  label: string;
}

/** Thrown when the environment holds a value Rådssvar cannot run with; the message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses and validates the environment. A wrong value throws a {@link ConfigError} whose message
 * names the variable, e.g. `PORT: Invalid input: expected number, received NaN`.
 */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Ugyldig konfiguration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const values = parsed.data;
  const dataDir = resolve(values.DATA_DIR);
  return {
    nodeEnv: values.NODE_ENV,
    port: values.PORT,
    publicUrl: values.PUBLIC_URL?.replace(/\/$/, ''),
    accessibilityStatementUrl: values.ACCESSIBILITY_STATEMENT_URL,
    trustProxy: values.TRUST_PROXY,
    databaseUrl: values.DATABASE_URL,
    databaseOwnerUrl: values.DATABASE_OWNER_URL,
    databaseTimeouts: {
      connectMs: values.DATABASE_CONNECT_TIMEOUT_MS,
      statementMs: values.DATABASE_STATEMENT_TIMEOUT_MS,
      idleInTransactionMs: values.DATABASE_IDLE_TRANSACTION_TIMEOUT_MS,
    },
    dataDir,
    embeddedPgPort: values.EMBEDDED_PG_PORT,
    sessionSecret: values.SESSION_SECRET ?? persistedSessionSecret(dataDir),
    chromiumPath: values.CHROMIUM_PATH,
    logLevel: values.LOG_LEVEL,
    seedDemo: values.SEED_DEMO,
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM,
    shutdownGraceSeconds: values.SHUTDOWN_GRACE_SECONDS,
    apiRequestsPerMinute: values.API_REQUESTS_PER_MINUTE,
    oidc:
      values.OIDC_ISSUER && values.OIDC_CLIENT_ID && values.OIDC_CLIENT_SECRET
        ? { issuer: values.OIDC_ISSUER, clientId: values.OIDC_CLIENT_ID, clientSecret: values.OIDC_CLIENT_SECRET, label: values.OIDC_LABEL }
        : undefined,
    saml:
      values.SAML_ENTRY_POINT && values.SAML_IDP_ISSUER && values.SAML_IDP_CERT
        ? {
            entryPoint: values.SAML_ENTRY_POINT,
            idpIssuer: values.SAML_IDP_ISSUER,
            idpCerts: values.SAML_IDP_CERT,
            logoutUrl: values.SAML_LOGOUT_URL,
            emailAttribute: values.SAML_EMAIL_ATTRIBUTE,
            nameAttribute: values.SAML_NAME_ATTRIBUTE,
            signing:
              values.SAML_SP_PRIVATE_KEY && values.SAML_SP_CERT
                ? { privateKey: values.SAML_SP_PRIVATE_KEY, cert: values.SAML_SP_CERT[0]! }
                : undefined,
            label: values.SAML_LABEL,
          }
        : undefined,
  };
}

/** The generated secret kept in DATA_DIR, so sessions survive a restart of the embedded default. */
function persistedSessionSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
