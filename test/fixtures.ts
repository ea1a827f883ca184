// Small builders for integration tests: a clinic, a type, slots and patients with minimal fields.
import type { Db } from "@/db/client";
import * as s from "@/db/schema";
import { encryptPii, keyedHash, type PiiKeys } from "@/lib/privacy/crypto";

export const testKeys: PiiKeys = {
  encryptionKey: Buffer.alloc(32, 7).toString("base64"),
  hmacKey: Buffer.alloc(32, 9).toString("base64"),
};

let counter = 0;

export async function makeClinic(db: Db, overrides: Partial<typeof s.clinics.$inferInsert> = {}) {
  counter++;
  const [clinic] = await db
    .insert(s.clinics)
    .values({
      slug: `clinic-${counter}-${Date.now()}`,
      name: `Klinik ${counter}`,
      smsName: `Klinik ${counter}`,
      region: "Test",
      address: "Gatan 1",
      phone: "018-000 00 00",
      ...overrides,
    })
    .returning();
  const [type] = await db
    .insert(s.appointmentTypes)
    .values({ clinicId: clinic!.id, code: `t${counter}`, nameSv: "Läkarbesök", nameEn: "Doctor", durationMinutes: 20 })
    .returning();
  return { clinic: clinic!, type: type! };
}

export async function makeSlot(db: Db, clinicId: string, typeId: string, startsAt: Date) {
  const [slot] = await db
    .insert(s.slots)
    .values({ clinicId, typeId, startsAt, endsAt: new Date(startsAt.getTime() + 20 * 60_000) })
    .returning();
  return slot!;
}

/** A Luhn-valid-looking unique 12-digit number is not needed here: patients are keyed by hash. */
export async function makePatient(db: Db, label = `p${++counter}`) {
  const pnr = `19000101${String(counter).padStart(4, "0")}`;
  const [patient] = await db
    .insert(s.patients)
    .values({
      personalNumberHash: keyedHash(`${pnr}-${label}`, testKeys),
      personalNumberEnc: encryptPii(pnr, testKeys),
      givenName: "Test",
      surname: label,
    })
    .returning();
  return patient!;
}
