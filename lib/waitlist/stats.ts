// Numbers for the clinic (the README and a later dashboard): how the waitlist refills freed slots.
import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { slotOffers, slots } from "@/db/schema";

export interface WaitlistStats {
  /** Offers made in the period. */
  offersSent: number;
  /** Of those, accepted (a patient moved to the slot). */
  accepted: number;
  /** Of those, lapsed without an answer. */
  expired: number;
  declined: number;
  /** Distinct slots that an accepted offer filled. */
  slotsRefilled: number;
  /** Sum over accepted offers of how much earlier the patient was seen, in days (one decimal). */
  daysGained: number;
  /** Median of the same, in days (one decimal); null when nothing was accepted. */
  medianDaysGained: number | null;
}

/** Per clinic (the clinic that owns the slot), for offers made in [from, to). */
export async function waitlistStats(
  db: DbOrTx,
  input: { clinicId: string; from: Date; to: Date },
): Promise<WaitlistStats> {
  const rows = await db
    .select({
      status: slotOffers.status,
      slotId: slotOffers.slotId,
      gainedMs: sql<number | null>`extract(epoch from (${slotOffers.appointmentStartsAt} - ${slots.startsAt})) * 1000`,
    })
    .from(slotOffers)
    .innerJoin(slots, eq(slots.id, slotOffers.slotId))
    .where(
      and(
        eq(slots.clinicId, input.clinicId),
        gte(slotOffers.createdAt, input.from),
        lt(slotOffers.createdAt, input.to),
      ),
    );
  const accepted = rows.filter((r) => r.status === "accepted");
  const gains = accepted.map((r) => Math.max(0, Number(r.gainedMs ?? 0)) / 86_400_000).sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  const mid = gains.length / 2;
  const median =
    gains.length === 0 ? null : gains.length % 2 ? gains[Math.floor(mid)]! : (gains[mid - 1]! + gains[mid]!) / 2;
  return {
    offersSent: rows.length,
    accepted: accepted.length,
    expired: rows.filter((r) => r.status === "expired").length,
    declined: rows.filter((r) => r.status === "declined").length,
    slotsRefilled: new Set(accepted.map((r) => r.slotId)).size,
    daysGained: round(gains.reduce((a, b) => a + b, 0)),
    medianDaysGained: median === null ? null : round(median),
  };
}
