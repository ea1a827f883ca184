// The waitlist's worker: expires lapsed offers (offering the slot to the next in line) and runs
// the "slot freed" jobs queued by cancels, rebooks, accepted offers and added slots. Its own small
// loop beside the SMS worker; the offer SMS it writes are sent by the SMS worker. Who gets a slot
// (lib/waitlist/offer-slot.ts) and the patient's answer (lib/waitlist/offers.ts) are the domain's.
import { and, asc, eq, lte } from "drizzle-orm";
import type { Db } from "@/db/client";
import { slotOffers, waitlistJobs } from "@/db/schema";
import { offerSlot, type OfferContext } from "@/lib/waitlist/offer-slot";
import { lockSlot } from "@/lib/waitlist/offers";
import { cancelOfferMessages } from "@/lib/waitlist/queue";
import type { PiiKeys } from "@/lib/privacy/crypto";
import { startPollingLoop, type PollingLoop } from "./poll-loop";

export interface OfferWorkerConfig {
  db: Db;
  keys: PiiKeys;
  publicBaseUrl: string;
  now?: () => Date;
  log?: (line: string) => void;
}

export type OfferWorker = PollingLoop;

export function startOfferWorker(config: OfferWorkerConfig, opts: { pollMs?: number } = {}): OfferWorker {
  const now = config.now ?? (() => new Date());
  return startPollingLoop(
    "offer worker",
    async () => {
      const r = await runOfferPass(config.db, { keys: config.keys, publicBaseUrl: config.publicBaseUrl, now: now() });
      if (r.jobs > 0 || r.expired > 0)
        config.log?.(
          `offer worker: ${r.jobs} freed slots, ${r.offered} offers, ${r.expired} expired, ${r.failed} failed`,
        );
      return { full: false };
    },
    { pollMs: opts.pollMs, log: config.log },
  );
}

/**
 * Open offers past their expiry become `expired`, and in the same transaction
 * (per slot, under the slot's lock) the slot is offered to the next in line.
 */
export async function expireDueOffers(
  db: Db,
  ctx: OfferContext,
  limit = 100,
): Promise<{ expired: number; offered: number }> {
  const due = await db
    .selectDistinct({ slotId: slotOffers.slotId })
    .from(slotOffers)
    .where(and(eq(slotOffers.status, "pending"), lte(slotOffers.expiresAt, ctx.now)))
    .limit(limit);
  const total = { expired: 0, offered: 0 };
  for (const { slotId } of due) {
    await db.transaction(async (tx) => {
      await lockSlot(tx, slotId);
      const expired = await tx
        .update(slotOffers)
        .set({ status: "expired" })
        .where(and(eq(slotOffers.slotId, slotId), eq(slotOffers.status, "pending"), lte(slotOffers.expiresAt, ctx.now)))
        .returning({ id: slotOffers.id });
      await cancelOfferMessages(
        tx,
        expired.map((e) => e.id),
        ctx.now,
      );
      total.expired += expired.length;
      if (expired.length > 0) total.offered += (await offerSlot(tx, slotId, ctx)).offered;
    });
  }
  return total;
}

/** The queued "slot freed" jobs, each in its own transaction; SKIP LOCKED lets many workers share them. */
export async function runWaitlistJobs(
  db: Db,
  ctx: OfferContext,
  limit = 25,
): Promise<{ jobs: number; offered: number; failed: number }> {
  const total = { jobs: 0, offered: 0, failed: 0 };
  for (let i = 0; i < limit; i++) {
    let claimed: { id: string; attempts: number } | undefined;
    try {
      const done = await db.transaction(async (tx) => {
        const [job] = await tx
          .select({ id: waitlistJobs.id, slotId: waitlistJobs.slotId, attempts: waitlistJobs.attempts })
          .from(waitlistJobs)
          .where(and(eq(waitlistJobs.status, "queued"), lte(waitlistJobs.runAt, ctx.now)))
          .orderBy(asc(waitlistJobs.runAt))
          .limit(1)
          .for("update", { skipLocked: true });
        if (!job) return null;
        claimed = job;
        const result = await offerSlot(tx, job.slotId, ctx);
        await tx
          .update(waitlistJobs)
          .set({ status: "done", attempts: job.attempts + 1, doneAt: ctx.now })
          .where(eq(waitlistJobs.id, job.id));
        return result;
      });
      if (!done) break;
      total.jobs += 1;
      total.offered += done.offered;
    } catch (error) {
      total.failed += 1;
      if (!claimed) throw error;
      // Rolled back: try the job again later, backing off.
      const retryMs = Math.min(60_000 * 2 ** claimed.attempts, 3_600_000);
      await db
        .update(waitlistJobs)
        .set({ attempts: claimed.attempts + 1, runAt: new Date(ctx.now.getTime() + retryMs) })
        .where(eq(waitlistJobs.id, claimed.id));
    }
  }
  return total;
}

/** One pass of the offer worker (and of tests and scripts): every offer-related change due now. */
export async function runOfferPass(
  db: Db,
  ctx: OfferContext,
): Promise<{ expired: number; offered: number; jobs: number; failed: number }> {
  const expiry = await expireDueOffers(db, ctx);
  const jobs = await runWaitlistJobs(db, ctx);
  return { expired: expiry.expired, offered: expiry.offered + jobs.offered, jobs: jobs.jobs, failed: jobs.failed };
}
