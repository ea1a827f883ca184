// Server-side login sessions. The cookie (next-auth's JWT) only carries a random session id; this
// table decides whether it is still valid, so logout and "end other sessions" revoke for real.
import { and, desc, eq, isNull, ne } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { sessions } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { randomToken, sha256Hex } from "@/lib/privacy/crypto";
import { absoluteExpiry, sessionState, shouldTouch, type SessionLimits, type SessionState } from "./session-policy";

export async function createSession(
  db: DbOrTx,
  input: { patientId: string; userAgent?: string | null; ip?: string | null; now: Date; limits: SessionLimits },
): Promise<{ sessionId: string }> {
  // A new id at every login: an id planted before login (session fixation) is never reused.
  const sessionId = randomToken(32);
  await db.insert(sessions).values({
    idHash: sha256Hex(sessionId),
    patientId: input.patientId,
    createdAt: input.now,
    lastSeenAt: input.now,
    absoluteExpiresAt: absoluteExpiry(input.now, input.limits),
    userAgent: input.userAgent?.slice(0, 300) ?? null,
    ip: input.ip ?? null,
  });
  return { sessionId };
}

export type ValidatedSession =
  | {
      ok: true;
      patientId: string;
      sessionHash: string;
      /** A guardian's chosen child (to be re-checked by the caller), or null. */
      actingForPatientId: string | null;
      actingNotice: "custody_ended" | null;
    }
  | { ok: false; state: Exclude<SessionState, "active"> | "unknown" };

export async function validateSession(
  db: DbOrTx,
  sessionId: string,
  now: Date,
  limits: SessionLimits,
): Promise<ValidatedSession> {
  const idHash = sha256Hex(sessionId);
  const [row] = await db.select().from(sessions).where(eq(sessions.idHash, idHash)).limit(1);
  if (!row) return { ok: false, state: "unknown" };
  const state = sessionState(row, now, limits);
  if (state !== "active") return { ok: false, state };
  if (shouldTouch(row, now)) {
    await db
      .update(sessions)
      .set({ lastSeenAt: now })
      .where(and(eq(sessions.idHash, idHash), isNull(sessions.revokedAt)));
  }
  return {
    ok: true,
    patientId: row.patientId,
    sessionHash: idHash,
    actingForPatientId: row.actingForPatientId,
    actingNotice: row.actingNotice,
  };
}

/** The guardian's choice of whom they act for (null: themselves); clears any earlier notice. */
export async function setActingFor(db: DbOrTx, sessionHash: string, childPatientId: string | null): Promise<void> {
  await db
    .update(sessions)
    .set({ actingForPatientId: childPatientId, actingNotice: null })
    .where(eq(sessions.idHash, sessionHash));
}

/** The choice no longer holds (custody ended, the child aged out): back to themselves, with a notice. */
export async function endActingFor(db: DbOrTx, sessionHash: string): Promise<void> {
  await db
    .update(sessions)
    .set({ actingForPatientId: null, actingNotice: "custody_ended" })
    .where(eq(sessions.idHash, sessionHash));
}

export async function revokeSession(db: DbOrTx, sessionId: string, now: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.idHash, sha256Hex(sessionId)), isNull(sessions.revokedAt)));
}

export interface SessionSummary {
  /** An opaque handle for the UI (a prefix of the hash): never the session id itself. */
  handle: string;
  current: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  userAgent: string | null;
}

export async function listActiveSessions(
  db: DbOrTx,
  patientId: string,
  currentHash: string,
  now: Date,
  limits: SessionLimits,
  audit: { ip?: string | null; userAgent?: string | null },
): Promise<SessionSummary[]> {
  await recordAudit(db, {
    actorType: "patient",
    actorId: patientId,
    action: "sessions.read",
    resourceType: "session",
    patientId,
    ...audit,
  });
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.patientId, patientId), isNull(sessions.revokedAt)))
    .orderBy(desc(sessions.lastSeenAt))
    .limit(50);
  return rows
    .filter((r) => sessionState(r, now, limits) === "active")
    .map((r) => ({
      handle: r.idHash.slice(0, 16),
      current: r.idHash === currentHash,
      createdAt: r.createdAt,
      lastSeenAt: r.lastSeenAt,
      userAgent: r.userAgent,
    }));
}

export async function revokeOtherSessions(
  db: DbOrTx,
  patientId: string,
  currentHash: string,
  now: Date,
): Promise<number> {
  const ended = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.patientId, patientId), ne(sessions.idHash, currentHash), isNull(sessions.revokedAt)))
    .returning({ idHash: sessions.idHash });
  return ended.length;
}
