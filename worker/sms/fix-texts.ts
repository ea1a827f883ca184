// Fixing texts: a reminder's recipient and text are written on its row before its first send, so
// every retry (by this worker or one taking over after a crash) sends exactly the same SMS, with the
// same deep link. This step drafts them for a batch (reply codes, text, link token); the claim's
// statement stores them with the claim itself and inserts the links (claim.ts), in the transaction
// that holds the rows' locks, so no other worker can fix a different text meanwhile.
import { newLinkToken } from "@/lib/links/deep-links";
import { encryptPii, sha256Hex } from "@/lib/privacy/crypto";
import { reminderText } from "@/lib/sms/reminder-text";
import { assignReplyCodes, isReplyNumber, phoneHash } from "@/lib/sms/reply-codes";
import type { DbOrTx } from "@/db/client";
import type { Ready, SmsDispatchConfig, Unfixed } from "./types";

/**
 * The batch's new reminders, ready to send, each with what the claim stores (`fix`): the recipient
 * (the patient's phone ciphertext as it is), the encrypted text, and the deep link as
 * storeAppointmentLinks stores it (the token's SHA-256, lapsing when the visit ends).
 */
export async function fixTexts(config: SmsDispatchConfig, db: DbOrTx, unfixed: Unfixed[]): Promise<Ready[]> {
  if (unfixed.length === 0) return [];
  const { keys } = config;
  // Reply codes only where a reply can come back: a number as sender, and the clinic has it on.
  const codes = new Map<Unfixed, string>();
  if (isReplyNumber(config.sender)) {
    const wanting = unfixed.filter((u) => u.reply && u.offersChange);
    const assigned = await assignReplyCodes(
      db,
      wanting.map((u) => ({
        phoneHash: phoneHash(u.to, keys),
        patientId: u.reply!.patientId,
        appointmentId: u.appointmentId,
        slotId: u.reply!.slotId,
      })),
    );
    wanting.forEach((u, i) => codes.set(u, assigned[i]!));
  }
  return unfixed.map((u): Ready => {
    const token = newLinkToken();
    const link = new URL(`/l/${token}`, config.publicBaseUrl).toString();
    const text = reminderText({
      lang: u.lang,
      startsAt: u.visit.startsAt,
      timeZone: u.visit.timeZone,
      clinicSmsName: u.smsName,
      link,
      replyCode: codes.get(u) ?? null,
      offersChange: u.offersChange,
      forName: u.forName,
    });
    return {
      kind: "ready",
      claimed: u.claimed,
      purpose: u.purpose,
      idempotencyKey: u.idempotencyKey,
      to: u.to,
      text,
      visit: u.visit,
      fix: {
        toEnc: u.toEnc,
        bodyEnc: encryptPii(text, keys),
        tokenHash: sha256Hex(token),
        appointmentId: u.appointmentId,
        expiresAt: u.endsAt,
      },
    };
  });
}
