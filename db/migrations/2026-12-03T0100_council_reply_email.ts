import type { Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * The council's contact e-mail, a letterhead field. Mail sent on the council's behalf (the
 * response to the authority) comes from MAIL_FROM, a noreply address; its Reply-To is this
 * address, so the authority's answer reaches the council. Null: no Reply-To.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('councils').addColumn('letterhead_email', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('councils').dropColumn('letterhead_email').execute();
}
