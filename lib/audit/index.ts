// Recording and verifying audit events. Every access to and change of patient data calls
// recordAudit inside the same transaction as the access or change itself.
import { asc, desc, sql } from "drizzle-orm";
import type { DbOrTx, Db, Tx } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { currentActingAs } from "./acting-actor";
import { AUDIT_HASH_VERSION, auditHash, GENESIS_HASH, verifyChain, type ChainProblem } from "./hash-chain";

export { runActingAs } from "./acting-actor";

// api_client: a booking system calling the FHIR API (actorId = its client_id).
export type ActorType = "patient" | "system" | "clinic" | "anonymous" | "api_client";

export interface AuditEventInput {
  actorType: ActorType;
  actorId?: string | null;
  action: string;
  resourceType?: string | null;
  resourceId?: string | null;
  patientId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Never a personal number, phone number or name in clear. */
  details?: Record<string, unknown> | null;
  at?: Date;
  /** "guardian": actorId is a guardian acting for patientId (normally set by runActingAs). */
  actorRole?: "guardian" | null;
}

/** A patient event about the child, written while a guardian acts for it, names the guardian. */
function withActingActor(event: AuditEventInput): { actorId: string | null; actorRole: "guardian" | null } {
  const acting = currentActingAs();
  const actorId = event.actorId ?? null;
  if (
    acting &&
    acting.actorPatientId !== acting.subjectPatientId &&
    event.actorType === "patient" &&
    actorId === acting.subjectPatientId
  )
    return { actorId: acting.actorPatientId, actorRole: "guardian" };
  return { actorId, actorRole: event.actorRole ?? null };
}

// One lock id for the chain: appends are serialised so two transactions never chain onto the same row.
const AUDIT_CHAIN_LOCK = 7_270_001;

export async function recordAudit(dbOrTx: DbOrTx, event: AuditEventInput): Promise<void> {
  const run = async (tx: Tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
    const [last] = await tx
      .select({ seq: auditEvents.seq, hash: auditEvents.hash })
      .from(auditEvents)
      .orderBy(desc(auditEvents.seq))
      .limit(1);
    const actor = withActingActor(event);
    const fields = {
      seq: (last?.seq ?? 0) + 1,
      at: event.at ?? new Date(),
      actorType: event.actorType,
      actorId: actor.actorId,
      actorRole: actor.actorRole,
      hashVersion: AUDIT_HASH_VERSION,
      action: event.action,
      resourceType: event.resourceType ?? null,
      resourceId: event.resourceId ?? null,
      patientId: event.patientId ?? null,
      ip: event.ip ?? null,
      userAgent: event.userAgent ? event.userAgent.slice(0, 300) : null,
      details: event.details ?? null,
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    await tx.insert(auditEvents).values({ ...fields, prevHash, hash: auditHash(prevHash, fields) });
  };
  // A Tx has no `transaction` of its own in our type, but drizzle supports nested savepoints;
  // when handed the database, open a transaction so the lock is held until commit.
  if (isTransaction(dbOrTx)) await run(dbOrTx);
  else await (dbOrTx as Db).transaction(run);
}

function isTransaction(dbOrTx: DbOrTx): dbOrTx is Tx {
  return typeof (dbOrTx as { rollback?: unknown }).rollback === "function";
}

/** Reads the whole chain in order and returns every problem found (empty = intact). */
export async function verifyAuditChain(db: DbOrTx, batchSize = 5000): Promise<ChainProblem[]> {
  const rows = [];
  let after = 0;
  for (;;) {
    const batch = await db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.seq} > ${after}`)
      .orderBy(asc(auditEvents.seq))
      .limit(batchSize);
    rows.push(...batch);
    if (batch.length < batchSize) break;
    after = batch[batch.length - 1]!.seq;
  }
  return verifyChain(rows);
}
