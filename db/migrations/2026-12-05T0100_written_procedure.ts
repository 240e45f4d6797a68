import { sql, type Kysely } from 'kysely';

// Frozen: once landed, never edit this migration; add a new dated one instead.

/*
 * A council's rule for written procedures (its rules of procedure, forretningsorden): the share
 * of the voters, in per cent, that must take part for a written procedure to decide. 50 is the
 * default rule (at least half took part, and more agreed than disagreed).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('councils')
    .addColumn('written_procedure_quorum_percent', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(50)
        .check(sql`written_procedure_quorum_percent between 1 and 100`),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('councils').dropColumn('written_procedure_quorum_percent').execute();
}
