// Per-visit reply codes: "Svara AVBOKA 4821" in a reminder names one visit at one time for the
// number the reminder went to. A code is unique per number (a family's phone gets different codes
// for each child's visits) and belongs to the visit's slot, so after a rebook the old reminder's
// code names a time that no longer holds, and the answer says so instead of cancelling the new time.
import { randomInt } from "node:crypto";
import { and, eq, gt, inArray, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { smsReplyCodes } from "@/db/schema";
import { keyedHash, type PiiKeys } from "@/lib/privacy/crypto";

/** The number a reminder went to (or a reply came from), as stored: an HMAC, never the number. */
export function phoneHash(e164: string, keys: PiiKeys): string {
  return keyedHash(`sms-reply:${e164}`, keys);
}

export interface CodeRequest {
  /** phoneHash() of the number the code is for. */
  phoneHash: string;
  patientId: string;
  appointmentId: string;
  slotId: string;
}

const MAX_ROUNDS = 5;

/**
 * The code for each request: the one already given to that number for that visit and time, else a
 * new random one that number has not had. Safe under concurrency: the unique indexes decide, and a
 * request that lost a race is tried again with a fresh code.
 */
export async function assignReplyCodes(db: DbOrTx, requests: CodeRequest[]): Promise<string[]> {
  const hashed = requests;
  const key = (r: { phoneHash: string; appointmentId: string; slotId: string }) =>
    `${r.phoneHash}|${r.appointmentId}|${r.slotId}`;
  const result = new Map<string, string>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const hashes = [...new Set(hashed.map((r) => r.phoneHash))];
    if (hashes.length === 0) break;
    const existing = await db
      .select({
        phoneHash: smsReplyCodes.phoneHash,
        appointmentId: smsReplyCodes.appointmentId,
        slotId: smsReplyCodes.slotId,
        code: smsReplyCodes.code,
      })
      .from(smsReplyCodes)
      .where(inArray(smsReplyCodes.phoneHash, hashes));
    const taken = new Map<string, Set<string>>();
    for (const e of existing) {
      result.set(key(e), e.code);
      if (!taken.has(e.phoneHash)) taken.set(e.phoneHash, new Set());
      taken.get(e.phoneHash)!.add(e.code);
    }
    const missing = hashed.filter((r) => !result.has(key(r)));
    if (missing.length === 0) break;
    const seen = new Set<string>();
    const rows = [];
    for (const r of missing) {
      if (seen.has(key(r))) continue;
      seen.add(key(r));
      const used = taken.get(r.phoneHash) ?? new Set<string>();
      let code: string;
      do code = String(randomInt(0, 10_000)).padStart(4, "0");
      while (used.has(code));
      used.add(code);
      taken.set(r.phoneHash, used);
      rows.push({
        phoneHash: r.phoneHash,
        patientId: r.patientId,
        appointmentId: r.appointmentId,
        slotId: r.slotId,
        code,
      });
    }
    // A conflict (another worker gave this visit a code, or took this code for this number first)
    // inserts nothing; the next round reads what won.
    await db.insert(smsReplyCodes).values(rows).onConflictDoNothing();
  }
  return hashed.map((r) => {
    const code = result.get(key(r));
    if (!code) throw new Error("could not assign an SMS reply code");
    return code;
  });
}

/** Asks for confirmation: the code's visit may be cancelled by a "JA" until `until`. */
export async function markPending(db: DbOrTx, id: string, until: Date): Promise<void> {
  await db.update(smsReplyCodes).set({ pendingUntil: until, confirmedAt: null }).where(eq(smsReplyCodes.id, id));
}

/**
 * Takes a pending confirmation, once: of two "JA" arriving together only one gets it, so only one
 * goes on to cancel.
 */
export async function claimConfirmation(db: DbOrTx, id: string, now: Date): Promise<boolean> {
  const claimed = await db
    .update(smsReplyCodes)
    .set({ confirmedAt: now })
    .where(and(eq(smsReplyCodes.id, id), gt(smsReplyCodes.pendingUntil, now), isNull(smsReplyCodes.confirmedAt)))
    .returning({ id: smsReplyCodes.id });
  return claimed.length > 0;
}

/** A sender that takes replies: an E.164 number, not an alphanumeric sender id. */
export function isReplyNumber(sender: string): boolean {
  return /^\+[1-9]\d{6,14}$/.test(sender);
}
