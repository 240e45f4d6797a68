import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * Single sign-on with the municipality's identity provider (OpenID Connect). People are matched
 * by their verified e-mail to existing users; per e-mail domain an admin decides whether a
 * person unknown to Rådssvar gets a user (with no roles: those are still given here) and whether
 * password login is refused for the domain, so its people must use the municipality's login.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sso_domains')
    .addColumn('domain', 'text', (c) => c.primaryKey().check(sql`domain = lower(domain) and domain ~ '^[a-z0-9.-]+$'`))
    .addColumn('create_users', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('require_sso', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sso_domains').execute();
}
