// POST /api/offer-answer: "Ta den nya tiden" / "Nej tack" on an earlier-time offer, as the offer
// page's script sends it. The same rules and transaction as the no-JavaScript form's server action
// (lib/waitlist/offers.ts), answered as JSON by our own server: when the offer holders and other
// patients race for one freed slot, each answer costs a few milliseconds instead of a page render
// (bench/README.md, part (d)).
import { z } from "zod";
import { acceptOffer, declineOffer } from "@/lib/waitlist/offers";
import { patientWriteRoute, type WriteAnswer } from "./patient-data-route";

const input = z.object({ offerId: z.uuid(), answer: z.enum(["accept", "decline"]) });

/** Someone was faster, or the offer or visit changed meanwhile: 409; not theirs: 404; too late: 422. */
const CONFLICTS = new Set(["taken", "answered", "not_booked"]);

export const offerAnswerRoute = patientWriteRoute(input, async (body, { session, meta, db }): Promise<WriteAnswer> => {
  const args = { offerId: body.offerId, now: new Date(), audit: { ip: meta.ip, userAgent: meta.userAgent } };
  const result =
    body.answer === "accept"
      ? await acceptOffer(db, session.patientId, args)
      : await declineOffer(db, session.patientId, args);
  if (result.ok) return { status: 200, body: { status: "ok" } };
  const status = result.error === "not_found" ? 404 : CONFLICTS.has(result.error) ? 409 : 422;
  return { status, body: { status: "error", error: result.error } };
});
