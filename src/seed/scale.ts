import { initialTransition, transition } from 'xstate';
import type { Db } from '../db/database.ts';
import { findUserByEmail, upsertMembership } from '../db/repositories/users.ts';
import { findCouncilBySlug, insertCouncil } from '../db/repositories/councils.ts';
import { hashPassword } from '../domain/auth/passwords.ts';
import { consultationMachine, MACHINE_VERSION, persistSnapshot, type ConsultationMachineEvent } from '../../workflows/consultation.machine.ts';
import { insertUser } from '../db/repositories/users.ts';
import type { NewConsultation } from '../db/types.ts';

export const SCALE_SECRETARY = { email: 'bench.sekretaer@example.dk', password: 'bench-raadssvar' };

// The events that lead to each state, so seeded snapshots are ones the machine itself produced.
const PATHS: ConsultationMachineEvent[][] = [
  [],
  [{ type: 'ASSIGN', council: 'x' }],
  [{ type: 'ASSIGN', council: 'x' }, { type: 'START_DRAFTING' }],
  [
    { type: 'ASSIGN', council: 'x' },
    { type: 'START_DRAFTING' },
    { type: 'SAVE_DRAFT', draftNumber: 1, empty: false },
    { type: 'SUBMIT_FOR_APPROVAL' },
  ],
  [
    { type: 'ASSIGN', council: 'x' },
    { type: 'START_DRAFTING' },
    { type: 'SAVE_DRAFT', draftNumber: 1, empty: false },
    { type: 'SUBMIT_FOR_APPROVAL' },
    { type: 'APPROVE', basis: 'chair_decision' },
    { type: 'SUBMIT', channel: 'email' },
  ],
];

/** Titles the benchmark seeds draw from (src/seed/scale.ts and bench/web-seed.ts). */
export const SCALE_TITLES = [
  'Udkast til Integrationsstrategi',
  'Forslag til Budget',
  'Handleplan for beskæftigelse',
  'Høring over lokalplan',
  'Forslag til Sundhedspolitik',
  'Ændring af serviceniveau for danskuddannelse',
];

/**
 * Seeds `count` consultations spread over `councilCount` councils for benchmarks, plus a
 * secretary of three of them (SCALE_SECRETARY). Bulk inserts; snapshots come from the machine.
 */
export async function seedScale(db: Db, count: number, councilCount = 400): Promise<{ councils: number; consultations: number }> {
  const councilIds: number[] = [];
  for (let i = 1; i <= councilCount; i++) {
    const slug = `bench-${String(i).padStart(3, '0')}`;
    const existing = await findCouncilBySlug(db, slug);
    const council =
      existing ??
      (await insertCouncil(db, {
        slug,
        name: `Integrationsrådet i Testkommune ${i}`,
        municipality: `Testkommune ${i}`,
        reference_prefix: `B${String(i).padStart(3, '0')}`,
      }));
    councilIds.push(council.id);
  }
  let secretary = await findUserByEmail(db, SCALE_SECRETARY.email);
  secretary ??= await insertUser(db, {
    email: SCALE_SECRETARY.email,
    name: 'Bente Benchmark',
    password_hash: await hashPassword(SCALE_SECRETARY.password),
  });
  for (const councilId of councilIds.slice(0, 3)) {
    await upsertMembership(db, { userId: secretary.id, councilId, role: 'secretary' });
  }

  // The machine computes each path's snapshot once; a row's snapshot differs only in the deadline
  // the machine keeps in its context, so that is all that is swapped per row (100,000 rows of
  // transitions would otherwise dominate the seeding time).
  const templates = PATHS.map((path) => {
    let [snapshot] = initialTransition(consultationMachine, { deadline: new Date(0).toISOString() });
    for (const event of path) [snapshot] = transition(consultationMachine, snapshot, event);
    return { state: snapshot.value, persisted: persistSnapshot(snapshot) };
  });

  const now = Date.now();
  const batchSize = 1000;
  const stamp = now.toString(36);
  for (let start = 0; start < count; start += batchSize) {
    const rows: NewConsultation[] = [];
    for (let i = start; i < Math.min(count, start + batchSize); i++) {
      const councilIndex = i % councilIds.length;
      const deadline = new Date(now + ((i * 7919) % (120 * 86400)) * 1000 - 20 * 86400 * 1000);
      // Shifted once per round of councils, so every council has consultations in every state.
      const pathIndex = (i + Math.floor(i / councilIds.length)) % PATHS.length;
      const path = PATHS[pathIndex]!;
      const template = templates[pathIndex]!;
      rows.push({
        reference: `B${String(councilIndex + 1).padStart(3, '0')}-${stamp}-${i}`,
        council_id: path.length > 0 ? councilIds[councilIndex]! : null,
        assignee_id: path.length > 0 && councilIndex < 3 ? secretary.id : null,
        title: `${SCALE_TITLES[i % SCALE_TITLES.length]} ${2026 + (i % 4)} nr. ${i}`,
        authority: `Økonomiudvalget, Testkommune ${councilIndex + 1}`,
        authority_reference: `26-${String(i).padStart(6, '0')}`,
        received_at: new Date(deadline.getTime() - 30 * 86400 * 1000).toISOString().slice(0, 10),
        deadline,
        state: template.state,
        snapshot: JSON.stringify({ ...template.persisted, context: { ...template.persisted.context, deadline: deadline.toISOString() } }),
        machine_version: MACHINE_VERSION,
        // Unassigned consultations are seen only by whoever registered them: the benchmark secretary
        // registered those of their own three councils, other people the rest.
        created_by: councilIndex < 3 ? secretary.id : null,
      });
    }
    await db.transaction().execute(async (tx) => {
      const inserted = await tx.insertInto('consultations').values(rows).returning(['id', 'state']).execute();
      await tx
        .insertInto('consultation_events')
        .values(
          inserted.map((r) => ({
            consultation_id: r.id,
            actor_id: secretary.id,
            type: 'REGISTERED',
            from_state: null,
            to_state: 'received',
            payload: '{}',
          })),
        )
        .execute();
    });
  }
  return { councils: councilIds.length, consultations: count };
}
