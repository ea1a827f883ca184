// Opaque links in SMS (`/l/<token>`): 192 random bits, of which only the SHA-256 is stored, so a
// copy of the table gives no working links. A link names an appointment, never a person, and
// expires when the appointment is over.
import { and, eq, gt } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { deepLinks } from "@/db/schema";
import { randomToken, sha256Hex } from "@/lib/privacy/crypto";

// base64url of 24 bytes: 32 characters of A–Z a–z 0–9 - _ (all GSM-7, so the SMS stays cheap).
const TOKEN = /^[A-Za-z0-9_-]{22,64}$/;

export async function createAppointmentLink(
  tx: DbOrTx,
  input: { appointmentId: string; expiresAt: Date; now: Date },
): Promise<string> {
  const token = newLinkToken();
  await storeAppointmentLinks(
    tx,
    [{ token, appointmentId: input.appointmentId, expiresAt: input.expiresAt }],
    input.now,
  );
  return token;
}

/** A fresh token; stored later with storeAppointmentLinks (a text can name its link first). */
export function newLinkToken(): string {
  return randomToken(24);
}

/** Many appointment links in one insert (the SMS worker fixes a whole batch of texts at once). */
export async function storeAppointmentLinks(
  tx: DbOrTx,
  links: { token: string; appointmentId: string; expiresAt: Date }[],
  now: Date,
): Promise<void> {
  if (links.length === 0) return;
  await tx.insert(deepLinks).values(
    links.map((l) => ({
      tokenHash: sha256Hex(l.token),
      purpose: "appointment" as const,
      appointmentId: l.appointmentId,
      expiresAt: l.expiresAt,
      createdAt: now,
    })),
  );
}

/** A link in an earlier-time offer: opens the offer, and lapses with it. */
export async function createOfferLink(
  tx: DbOrTx,
  input: { appointmentId: string; offerId: string; expiresAt: Date; now: Date },
): Promise<string> {
  const token = randomToken(24);
  await tx.insert(deepLinks).values({
    tokenHash: sha256Hex(token),
    purpose: "offer",
    appointmentId: input.appointmentId,
    offerId: input.offerId,
    expiresAt: input.expiresAt,
    createdAt: input.now,
  });
  return token;
}

export type ResolvedLink =
  { purpose: "appointment"; appointmentId: string } | { purpose: "offer"; appointmentId: string; offerId: string };

/** The link's target, or null for a malformed, unknown or expired token (one answer for all). */
export async function resolveDeepLink(db: DbOrTx, token: string, now: Date): Promise<ResolvedLink | null> {
  if (!TOKEN.test(token)) return null;
  const [row] = await db
    .select({ purpose: deepLinks.purpose, appointmentId: deepLinks.appointmentId, offerId: deepLinks.offerId })
    .from(deepLinks)
    .where(and(eq(deepLinks.tokenHash, sha256Hex(token)), gt(deepLinks.expiresAt, now)))
    .limit(1);
  if (!row?.appointmentId) return null;
  if (row.purpose === "offer" && row.offerId)
    return { purpose: "offer", appointmentId: row.appointmentId, offerId: row.offerId };
  if (row.purpose !== "appointment") return null;
  return { purpose: "appointment", appointmentId: row.appointmentId };
}

/** Where a resolved link leads in the app. */
export function deepLinkPath(target: ResolvedLink): string {
  return target.purpose === "offer"
    ? `/besok/${target.appointmentId}/erbjudande/${target.offerId}`
    : `/besok/${target.appointmentId}`;
}

export function isWellFormedToken(token: string): boolean {
  return TOKEN.test(token);
}
