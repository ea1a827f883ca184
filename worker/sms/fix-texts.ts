// Fixing texts: a reminder's recipient and text are written on its row before its first send, so
// every retry (by this worker or one taking over after a crash) sends exactly the same SMS, with the
// same deep link. One transaction per batch: one update from a VALUES list, one insert of the links.
import { inArray, sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { messages } from "@/db/schema";
import { newLinkToken, storeAppointmentLinks } from "@/lib/links/deep-links";
import { decryptPii, encryptPii } from "@/lib/privacy/crypto";
import { reminderText } from "@/lib/sms/reminder-text";
import { assignReplyCodes, isReplyNumber, phoneHash } from "@/lib/sms/reply-codes";
import type { Prepared, Ready, SmsDispatchConfig, Unfixed } from "./types";

/**
 * Writes the recipient and text of the batch's new reminders, only where still unset (two workers
 * racing here, one of them past its lease, keep one text), and stores the deep links of the texts
 * that were kept, in one transaction. A row another worker fixed first is sent with its text.
 */
export async function fixTexts(config: SmsDispatchConfig, unfixed: Unfixed[], now: Date): Promise<Prepared[]> {
  if (unfixed.length === 0) return [];
  const { db, keys } = config;
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
  const drafts = unfixed.map((u) => {
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
    return { u, token, text };
  });
  const kept = await db.transaction(async (tx) => {
    const values = drafts.map(
      (d) => sql`(${d.u.claimed.id}::uuid, ${encryptPii(d.u.to, keys)}::text, ${encryptPii(d.text, keys)}::text)`,
    );
    const stored = await tx.execute(sql`
      update messages m set to_enc = v.to_enc, body_enc = v.body_enc, updated_at = ${now.toISOString()}::timestamptz
      from (values ${sql.join(values, sql`, `)}) as v(id, to_enc, body_enc)
      where m.id = v.id and m.body_enc is null
      returning m.id`);
    const ids = new Set(rowsOf<{ id: string }>(stored).map((r) => r.id));
    const mine = drafts.filter((d) => ids.has(d.u.claimed.id));
    await storeAppointmentLinks(
      tx,
      mine.map((d) => ({ token: d.token, appointmentId: d.u.appointmentId, expiresAt: d.u.endsAt })),
      now,
    );
    return ids;
  });
  const ready = (u: Unfixed, to: string, text: string): Ready => ({
    kind: "ready",
    claimed: u.claimed,
    purpose: u.purpose,
    idempotencyKey: u.idempotencyKey,
    to,
    text,
    visit: u.visit,
  });
  const lost = drafts.filter((d) => !kept.has(d.u.claimed.id)).map((d) => d.u);
  const theirs =
    lost.length === 0
      ? []
      : await db
          .select({ id: messages.id, toEnc: messages.toEnc, bodyEnc: messages.bodyEnc })
          .from(messages)
          .where(
            inArray(
              messages.id,
              lost.map((u) => u.claimed.id),
            ),
          );
  const theirById = new Map(theirs.map((r) => [r.id, r]));
  return [
    ...drafts.filter((d) => kept.has(d.u.claimed.id)).map((d) => ready(d.u, d.u.to, d.text)),
    ...lost.map((u): Prepared => {
      const t = theirById.get(u.claimed.id);
      return t?.toEnc && t.bodyEnc
        ? ready(u, decryptPii(t.toEnc, keys), decryptPii(t.bodyEnc, keys))
        : { kind: "later", claimed: u.claimed };
    }),
  ];
}
