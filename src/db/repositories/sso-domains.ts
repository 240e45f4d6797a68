import type { Executor } from '../database.ts';

/** Every domain of the municipality's login, by name. */
export function listSsoDomains(db: Executor) {
  return db.selectFrom('sso_domains').select(['domain', 'create_users', 'require_sso']).orderBy('domain').execute();
}

/** The settings of one e-mail domain, or undefined. */
export function findSsoDomain(db: Executor, domain: string) {
  return db.selectFrom('sso_domains').select(['domain', 'create_users', 'require_sso']).where('domain', '=', domain).executeTakeFirst();
}

/** Adds a domain or changes its settings. */
export async function upsertSsoDomain(db: Executor, values: { domain: string; createUsers: boolean; requireSso: boolean }): Promise<void> {
  await db
    .insertInto('sso_domains')
    .values({ domain: values.domain, create_users: values.createUsers, require_sso: values.requireSso })
    .onConflict((oc) => oc.column('domain').doUpdateSet({ create_users: values.createUsers, require_sso: values.requireSso }))
    .execute();
}

/** Removes a domain. */
export async function deleteSsoDomain(db: Executor, domain: string): Promise<void> {
  await db.deleteFrom('sso_domains').where('domain', '=', domain).execute();
}
