// The README's waitlist figures: the demo seed in a throwaway PGlite, every upcoming doctor's visit
// at Vårdcentralen Centrum but the earliest asks for an earlier time, the earliest cancels, and the
// first in line accepts each offer until nobody later is waiting. Run: npx tsx scripts/waitlist-figures.ts
import { and, asc, eq, gt } from "drizzle-orm";
import { migrateDatabase, openDatabase } from "@/db/client";
import * as s from "@/db/schema";
import { seedDemoData } from "@/lib/demo/seed";
import { cancelAppointment } from "@/lib/appointments/service";
import { acceptOffer } from "@/lib/waitlist/offers";
import { waitlistStats } from "@/lib/waitlist/stats";
import { saveWaitlistWishes } from "@/lib/waitlist/wishes";
import { runOfferPass } from "@/worker/offers";

const keys = { encryptionKey: Buffer.alloc(32, 7).toString("base64"), hmacKey: Buffer.alloc(32, 9).toString("base64") };
const now = new Date("2026-11-24T08:00:00Z"); // a Tuesday, 09:00 in Stockholm
const audit = { ip: null, userAgent: null };
const handle = openDatabase({ dataDir: "memory" });
await migrateDatabase(handle);
await seedDemoData(handle.db, { now, keys });
const db = handle.db;
const [clinic] = await db.select().from(s.clinics).where(eq(s.clinics.slug, "vc-centrum"));
const visits = await db
  .select({ appointment: s.appointments, startsAt: s.slots.startsAt })
  .from(s.appointments)
  .innerJoin(s.slots, eq(s.slots.id, s.appointments.slotId))
  .innerJoin(s.appointmentTypes, eq(s.appointmentTypes.id, s.slots.typeId))
  .where(
    and(
      eq(s.slots.clinicId, clinic!.id),
      eq(s.appointmentTypes.code, "lakare"),
      eq(s.appointments.status, "booked"),
      gt(s.slots.startsAt, now),
    ),
  )
  .orderBy(asc(s.slots.startsAt));
for (const v of visits.slice(1)) {
  await saveWaitlistWishes(db, v.appointment.patientId, {
    appointmentId: v.appointment.id,
    fromDate: "2026-11-24",
    weekdays: [],
    timesOfDay: [],
    minNoticeMinutes: 120,
    now,
    audit,
  });
}
await cancelAppointment(db, visits[0]!.appointment.patientId, {
  appointmentId: visits[0]!.appointment.id,
  reason: null,
  now,
  audit,
});
let at = now;
for (let step = 0; step < 20; step++) {
  at = new Date(at.getTime() + 10 * 60_000);
  await runOfferPass(db, { keys, publicBaseUrl: "https://vardtid.example", now: at });
  const [first] = await db
    .select({ offerId: s.slotOffers.id, patientId: s.waitlistEntries.patientId })
    .from(s.slotOffers)
    .innerJoin(s.waitlistEntries, eq(s.waitlistEntries.id, s.slotOffers.waitlistEntryId))
    .where(eq(s.slotOffers.status, "pending"))
    .orderBy(asc(s.waitlistEntries.createdAt), asc(s.slotOffers.createdAt))
    .limit(1);
  if (!first) break;
  await acceptOffer(db, first.patientId, { offerId: first.offerId, now: at, audit });
}
console.log(
  JSON.stringify(
    await waitlistStats(db, {
      clinicId: clinic!.id,
      from: new Date(now.getTime() - 86_400_000),
      to: new Date(now.getTime() + 86_400_000),
    }),
    null,
    2,
  ),
);
await handle.close();
