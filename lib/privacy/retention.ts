// The retention job: what Vårdtid no longer needs is removed after configurable periods (GDPR art.
// 5(1)(e), storage limitation). Never the audit trail (five years at least, see db/roles.sql) and
// never appointments (the clinic's record). Run by the worker daily and by `npm run retention`.
import { and, inArray, isNotNull, lt, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { deepLinks, loginOrders, messages, phoneVerifications, sessions, slotOffers } from "@/db/schema";

export interface RetentionPeriods {
  /** Deep links, this many days after they expired. */
  linkDays: number;
  /** Answered, expired or withdrawn offers (not accepted ones: the clinic's statistics use them). */
  offerDays: number;
  /** Ended sessions (revoked or past their absolute lifetime). */
  sessionDays: number;
  /** Recipient, text and provider id of finished messages (the row stays: it keeps the send idempotent). */
  messageDays: number;
}

export const DEFAULT_RETENTION: RetentionPeriods = { linkDays: 7, offerDays: 90, sessionDays: 30, messageDays: 90 };

export interface RetentionResult {
  links: number;
  offers: number;
  sessions: number;
  loginOrders: number;
  phoneCodes: number;
  messages: number;
}

const DAY = 86_400_000;
const CLOSED_OFFERS = ["expired", "declined", "taken", "withdrawn"] as const;
const FINISHED = ["sent", "delivered", "failed", "expired", "dead", "skipped", "cancelled", "opened"] as const;

export async function purgeExpired(
  db: Db,
  now: Date,
  periods: RetentionPeriods = DEFAULT_RETENTION,
): Promise<RetentionResult> {
  const before = (days: number) => new Date(now.getTime() - days * DAY);
  return db.transaction(async (tx) => {
    const offerCutoff = before(periods.offerDays);
    const finishedOffer = and(inArray(slotOffers.status, [...CLOSED_OFFERS]), lt(slotOffers.expiresAt, offerCutoff));
    const oldOffers = tx.select({ id: slotOffers.id }).from(slotOffers).where(finishedOffer);
    // Links first: a link may point at an offer.
    const links = await tx
      .delete(deepLinks)
      .where(or(lt(deepLinks.expiresAt, before(periods.linkDays)), inArray(deepLinks.offerId, oldOffers)))
      .returning({ id: deepLinks.id });
    const offers = await tx.delete(slotOffers).where(finishedOffer).returning({ id: slotOffers.id });
    const sessionCutoff = before(periods.sessionDays);
    const ended = await tx
      .delete(sessions)
      .where(or(lt(sessions.revokedAt, sessionCutoff), lt(sessions.absoluteExpiresAt, sessionCutoff)))
      .returning({ id: sessions.idHash });
    const orders = await tx
      .delete(loginOrders)
      .where(lt(loginOrders.createdAt, before(1)))
      .returning({ id: loginOrders.id });
    const codes = await tx
      .delete(phoneVerifications)
      .where(lt(phoneVerifications.expiresAt, before(1)))
      .returning({ id: phoneVerifications.patientId });
    const scrubbed = await tx
      .update(messages)
      .set({ toEnc: null, bodyEnc: null, providerId: null, lastError: null })
      .where(
        and(
          inArray(messages.status, [...FINISHED]),
          lt(messages.updatedAt, before(periods.messageDays)),
          or(isNotNull(messages.toEnc), isNotNull(messages.bodyEnc), isNotNull(messages.providerId)),
        ),
      )
      .returning({ id: messages.id });
    return {
      links: links.length,
      offers: offers.length,
      sessions: ended.length,
      loginOrders: orders.length,
      phoneCodes: codes.length,
      messages: scrubbed.length,
    };
  });
}
