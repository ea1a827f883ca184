// Demo data: three clinics of a fictional part of Region Uppsala, a few weeks of slots around
// "now", and test patients with Luhn-correct numbers from the test series (never a real person).
// (Longer than ~300 lines: it is data, the clinics, types, roles and patients of the demo, built
// as one FHIR transaction Bundle through the integration import.)
import { TZDate } from "@date-fns/tz";
import { addDays, startOfDay } from "date-fns";
import { randomUUID } from "node:crypto";
import type { BundleEntry, Extension } from "@medplum/fhirtypes";
import { and, count, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import * as s from "@/db/schema";
import { encryptPii, keyedHash, type PiiKeys } from "@/lib/privacy/crypto";
import { syncAppointmentReminders } from "@/lib/reminders/sync";
import { importTransactionBundle } from "@/lib/fhir/bundle";
import { CLINIC_TEXTS } from "@/lib/appointments/clinic-texts";
import { clinicTextExt, EXT, HSA_SYSTEM } from "@/lib/fhir/systems";

const TZ = "Europe/Stockholm";

export const demoPatients = [
  { personalNumber: "191212121212", givenName: "Tolvan", surname: "Tolvansson", phone: "+46701740605" },
  { personalNumber: "198112289874", givenName: "Elsa", surname: "Provsson", phone: "+46701740606" },
  { personalNumber: "197802022389", givenName: "Karl", surname: "Testman", phone: "+46701740607" },
  { personalNumber: "195001182046", givenName: "Maja", surname: "Exempelsson", phone: "+46701740608" },
  { personalNumber: "194107086995", givenName: "Sven", surname: "Demosson", phone: "+46701740609" },
  // Leila's own visits are the ones the language stories change, so no other story depends on them.
  { personalNumber: "199703142399", givenName: "Leila", surname: "Provdotter", phone: "+46701740610" },
  // Nils's visits are the ones the stale-page, clinic-change and settings stories change
  // (e2e/patient-changes.spec.ts), so no other story depends on them.
  { personalNumber: "198805232397", givenName: "Nils", surname: "Testsson", phone: "+46701740611" },
] as const;

// Tolvan's children (Skatteverket's test series), with custody held by Tolvan as the clinic's
// system would send it (a RelatedPerson). Lilla is under 13, so Tolvan may act for her; Tolva is
// 14, so neither Tolvan nor anyone else acts for her online (the age rule, GUARDIAN_MAX_CHILD_AGE).
// No phone of their own: a child's reminders go to the guardian's confirmed number.
export const demoChildren = [
  { personalNumber: "201905162382", givenName: "Lilla Tolvan", surname: "Tolvansson" },
  { personalNumber: "201203102387", givenName: "Tolva", surname: "Tolvansson" },
] as const;
export const demoGuardianOf = "191212121212";

interface TypeSeed {
  code: string;
  nameSv: string;
  nameEn: string;
  durationMinutes: number;
  cancellable?: boolean;
  rebookable?: boolean;
  cancelCutoffHours?: number;
  preparationSv?: string;
  preparationEn?: string;
  isVideo?: boolean;
  allowSisterClinics?: boolean;
  waitlistEnabled?: boolean;
  roleSv: string;
  roleEn: string;
}

interface ClinicSeed {
  clinic: typeof s.clinics.$inferInsert & { hsaId: string };
  types: TypeSeed[];
}

const transportInfo =
  "Har du svårt att ta dig till vården kan du ha rätt till sjukresa med taxi eller specialfordon. Beställ via Sjukresor Region Uppsala, 018-611 00 00, senast dagen före besöket.";
const transportInfoEn =
  "If it is hard for you to get to your care, you may be entitled to a patient transport (sjukresa) by taxi or special vehicle. Book it with Sjukresor Region Uppsala, 018-611 00 00, by the day before the visit.";

const clinicSeeds: ClinicSeed[] = [
  {
    clinic: {
      slug: "vc-centrum",
      hsaId: "SE2321000032-VT001",
      name: "Vårdcentralen Centrum",
      smsName: "Vårdcentralen Centrum",
      smsReplyCancel: true,
      region: "Region Uppsala",
      address: "Kungsgatan 41, 753 21 Uppsala",
      directions: "Två minuters promenad från Uppsala centralstation. Entré från gården, hiss till plan 2.",
      directionsEn: "Two minutes' walk from Uppsala Central Station. Entrance from the courtyard, lift to floor 2.",
      phone: "018-611 00 01",
      cancelCutoffHours: 24,
      sisterGroup: "uppsala-vardcentraler",
      patientTransportInfo: transportInfo,
      patientTransportInfoEn: transportInfoEn,
      checkInSv: "Anmäl dig i kassan eller i incheckningsautomaten i entrén med ditt personnummer.",
      checkInEn:
        "Check in at the reception desk or at the check-in machine by the entrance with your personal identity number.",
      identificationSv: "Ta med giltig legitimation, till exempel körkort, pass eller nationellt id-kort.",
      identificationEn: "Bring valid ID, for example a driving licence, passport or national ID card.",
      lateArrivalSv:
        "Kommer du mer än 10 minuter för sent kan vi behöva boka en ny tid. Ring oss så snart du vet att du blir sen.",
      lateArrivalEn:
        "If you are more than 10 minutes late we may have to book a new time. Call us as soon as you know you will be late.",
      missedVisitFeeSv:
        "Uteblir du utan att avboka senast 24 timmar före besöket tar vi ut en avgift på 400 kronor. Avgiften gäller även om du har frikort.",
      missedVisitFeeEn:
        "If you miss your visit without cancelling at least 24 hours before, we charge a fee of SEK 400. The fee applies even if you have a high-cost exemption card.",
      offerFairness: "first_come",
    },
    types: [
      {
        code: "lakare",
        nameSv: "Läkarbesök",
        nameEn: "Doctor's appointment",
        durationMinutes: 20,
        roleSv: "Läkare",
        roleEn: "Doctor",
        allowSisterClinics: true,
      },
      {
        code: "ssk",
        nameSv: "Sjuksköterskebesök",
        nameEn: "Nurse appointment",
        durationMinutes: 15,
        roleSv: "Sjuksköterska",
        roleEn: "Nurse",
        allowSisterClinics: true,
      },
      {
        code: "prov",
        nameSv: "Provtagning",
        nameEn: "Blood test",
        durationMinutes: 10,
        preparationSv: "Fasta från kl. 22 kvällen före provtagningen. Vatten går bra att dricka.",
        preparationEn: "Fast from 10 pm the evening before the test. You may drink water.",
        roleSv: "Biomedicinsk analytiker",
        roleEn: "Biomedical scientist",
        waitlistEnabled: false,
      },
      {
        code: "video",
        nameSv: "Videobesök läkare",
        nameEn: "Video appointment with a doctor",
        durationMinutes: 15,
        isVideo: true,
        roleSv: "Läkare",
        roleEn: "Doctor",
      },
    ],
  },
  {
    clinic: {
      slug: "vc-gottsunda",
      hsaId: "SE2321000032-VT002",
      name: "Vårdcentralen Gottsunda",
      smsName: "Vårdcentralen Gottsunda",
      region: "Region Uppsala",
      address: "Gottsunda Centrum 12, 756 51 Uppsala",
      directions: "Buss 7 och 11 till Gottsunda centrum. Ingång vid biblioteket, gatuplan.",
      phone: "018-611 00 02",
      cancelCutoffHours: 24,
      sisterGroup: "uppsala-vardcentraler",
      patientTransportInfo: transportInfo,
      offerFairness: "in_turn",
      offerBatchSize: 1,
    },
    types: [
      {
        code: "lakare",
        nameSv: "Läkarbesök",
        nameEn: "Doctor's appointment",
        durationMinutes: 20,
        roleSv: "Läkare",
        roleEn: "Doctor",
        allowSisterClinics: true,
      },
      {
        code: "ssk",
        nameSv: "Sjuksköterskebesök",
        nameEn: "Nurse appointment",
        durationMinutes: 15,
        roleSv: "Sjuksköterska",
        roleEn: "Nurse",
        allowSisterClinics: true,
      },
    ],
  },
  {
    // Sensitive: the SMS-safe name reveals nothing about psychiatry.
    clinic: {
      slug: "psykiatri-agatan",
      hsaId: "SE2321000032-VT003",
      name: "Psykiatrimottagning Ågatan",
      smsName: "Mottagningen Ågatan",
      smsReplyCancel: true,
      region: "Region Uppsala",
      address: "Ågatan 8, 753 10 Uppsala",
      directions: "Ingång från Ågatan, ring på porttelefonen. Väntrummet ligger en trappa upp.",
      phone: "018-611 00 03",
      cancelCutoffHours: 72,
      patientTransportInfo: transportInfo,
      offerFairness: "in_turn",
      offerBatchSize: 1,
    },
    types: [
      {
        code: "psykolog",
        nameSv: "Samtal med psykolog",
        nameEn: "Session with a psychologist",
        durationMinutes: 45,
        roleSv: "Psykolog",
        roleEn: "Psychologist",
      },
      {
        code: "lakare",
        nameSv: "Läkarbesök",
        nameEn: "Doctor's appointment",
        durationMinutes: 30,
        roleSv: "Läkare",
        roleEn: "Doctor",
      },
      {
        code: "nybesok",
        nameSv: "Nybesök",
        nameEn: "First visit",
        durationMinutes: 60,
        cancellable: false,
        rebookable: false,
        preparationSv: "Fyll i hälsodeklarationen du fått med posten och ta med den.",
        preparationEn: "Fill in the health declaration you received by post and bring it.",
        roleSv: "Läkare",
        roleEn: "Doctor",
        waitlistEnabled: false,
      },
    ],
  },
];

// Slot starting times (clinic wall clock) on weekdays, per type duration.
const dayStarts = ["08:00", "08:40", "09:20", "10:00", "10:40", "13:00", "13:40", "14:20", "15:00", "15:40"];

export interface SeedOptions {
  now?: Date;
  keys: PiiKeys;
  weeksBack?: number;
  weeksAhead?: number;
}

export async function isSeeded(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(s.clinics);
  return (row?.n ?? 0) > 0;
}

/** Inserts the demo data set. Deterministic for a given `now`. */
export async function seedDemoData(db: Db, options: SeedOptions): Promise<{ slots: number; appointments: number }> {
  const now = options.now ?? new Date();
  const weeksBack = options.weeksBack ?? 4;
  const weeksAhead = options.weeksAhead ?? 5;
  let slotCount = 0;
  let appointmentCount = 0;

  await db.transaction(async (tx) => {
    const patientIds: string[] = [];
    for (const p of demoPatients) {
      const [row] = await tx
        .insert(s.patients)
        .values({
          personalNumberHash: keyedHash(p.personalNumber, options.keys),
          personalNumberEnc: encryptPii(p.personalNumber, options.keys),
          givenName: p.givenName,
          surname: p.surname,
          phoneEnc: encryptPii(p.phone, options.keys),
          phoneVerifiedAt: now,
        })
        .returning({ id: s.patients.id });
      patientIds.push(row!.id);
      await tx.insert(s.notificationPreferences).values({ patientId: row!.id, smsEnabled: true, smsConsentAt: now });
    }

    const childIds: string[] = [];
    for (const c of demoChildren) {
      const [row] = await tx
        .insert(s.patients)
        .values({
          personalNumberHash: keyedHash(c.personalNumber, options.keys),
          personalNumberEnc: encryptPii(c.personalNumber, options.keys),
          givenName: c.givenName,
          surname: c.surname,
        })
        .returning({ id: s.patients.id });
      childIds.push(row!.id);
      await tx.insert(s.guardianships).values({
        childPatientId: row!.id,
        guardianPersonalNumberHash: keyedHash(demoGuardianOf, options.keys),
        guardianPersonalNumberEnc: encryptPii(demoGuardianOf, options.keys),
        relationship: "PRN",
        createdAt: now,
        updatedAt: now,
      });
    }
    // Tolvan has turned on SMS for Lilla: her reminders go to his confirmed number, with her first name.
    await tx.insert(s.notificationPreferences).values({
      patientId: childIds[0]!,
      smsEnabled: true,
      smsConsentAt: now,
      smsGuardianPatientId: patientIds[0]!,
    });

    const today = startOfDay(new TZDate(now, TZ));
    // Clinics, types, practitioners, schedules and slots go in through the FHIR import code the
    // booking systems use (a transaction Bundle), so that path runs on every demo start.
    const entry: BundleEntry[] = [];
    // A visit a few hours away, whatever the time of the seed: it shows "call the clinic" instead
    // of cancel (inside the 24 h cutoff), so every demo and test run has one.
    const soon = new Date(Math.ceil((now.getTime() + 4 * 3_600_000) / 300_000) * 300_000);
    // And one tomorrow at 11:10 (clinic time, whatever the weekday), so "imorgon" shows: Maja's.
    const tomorrowDay = addDays(today, 1);
    const tomorrow = new TZDate(
      tomorrowDay.getFullYear(),
      tomorrowDay.getMonth(),
      tomorrowDay.getDate(),
      11,
      10,
      0,
      TZ,
    );
    for (const seed of clinicSeeds) {
      const c = seed.clinic;
      const org = `urn:uuid:${randomUUID()}`;
      entry.push({
        fullUrl: org,
        resource: {
          resourceType: "Organization",
          identifier: [{ system: HSA_SYSTEM, value: c.hsaId }],
          name: c.name,
          telecom: [{ system: "phone", value: c.phone }],
          address: [{ text: c.address }],
          extension: [
            { url: EXT.smsName, valueString: c.smsName },
            { url: EXT.cancelCutoffHours, valueInteger: c.cancelCutoffHours ?? 24 },
            { url: EXT.offerFairness, valueCode: c.offerFairness ?? "first_come" },
            { url: EXT.offerBatchSize, valueInteger: c.offerBatchSize ?? 3 },
            // Directions, transport help, check-in, ID, late arrival and missed-visit fee, where set.
            ...CLINIC_TEXTS.flatMap((t) =>
              (["sv", "en"] as const).flatMap((lang) => {
                const value = c[t[lang]];
                return value ? [{ url: clinicTextExt(t.ext, lang), valueString: value }] : [];
              }),
            ),
          ],
        },
        request: { method: "PUT", url: `Organization?identifier=${HSA_SYSTEM}|${c.hsaId}` },
      });
      for (const [typeIndex, t] of seed.types.entries()) {
        const service = `urn:uuid:${randomUUID()}`;
        const role = `urn:uuid:${randomUUID()}`;
        const schedule = `urn:uuid:${randomUUID()}`;
        const ext: Extension[] = [
          { url: EXT.nameEn, valueString: t.nameEn },
          { url: EXT.durationMinutes, valueInteger: t.durationMinutes },
          { url: EXT.cancellable, valueBoolean: t.cancellable ?? true },
          { url: EXT.rebookable, valueBoolean: t.rebookable ?? true },
          { url: EXT.video, valueBoolean: t.isVideo ?? false },
          { url: EXT.sisterClinicsAllowed, valueBoolean: t.allowSisterClinics ?? false },
          { url: EXT.waitlistAllowed, valueBoolean: t.waitlistEnabled ?? true },
        ];
        if (t.cancelCutoffHours !== undefined)
          ext.push({ url: EXT.cancelCutoffHours, valueInteger: t.cancelCutoffHours });
        if (t.preparationSv) ext.push({ url: EXT.preparationSv, valueString: t.preparationSv });
        if (t.preparationEn) ext.push({ url: EXT.preparationEn, valueString: t.preparationEn });
        entry.push(
          {
            fullUrl: service,
            resource: {
              resourceType: "HealthcareService",
              identifier: [{ value: t.code }],
              providedBy: { reference: org },
              name: t.nameSv,
              extension: ext,
            },
            request: { method: "POST", url: "HealthcareService" },
          },
          {
            fullUrl: role,
            resource: {
              resourceType: "PractitionerRole",
              organization: { reference: org },
              code: [{ text: t.roleSv }],
              extension: [{ url: EXT.nameEn, valueString: t.roleEn }],
            },
            request: { method: "POST", url: "PractitionerRole" },
          },
          {
            fullUrl: schedule,
            resource: { resourceType: "Schedule", actor: [{ reference: service }, { reference: role }] },
            request: { method: "POST", url: "Schedule" },
          },
        );
        const slot = (start: Date) => {
          slotCount++;
          entry.push({
            resource: {
              resourceType: "Slot",
              schedule: { reference: schedule },
              status: "free",
              start: start.toISOString(),
              end: new Date(start.getTime() + t.durationMinutes * 60_000).toISOString(),
            },
            request: { method: "POST", url: "Slot" },
          });
        };
        for (let d = -weeksBack * 7; d <= weeksAhead * 7; d++) {
          const day = addDays(today, d);
          const weekday = day.getDay();
          if (weekday === 0 || weekday === 6) continue;
          // Each type gets a share of the day's times, so types do not all sit at the same minute.
          dayStarts.forEach((hhmm, i) => {
            if (i % seed.types.length !== typeIndex % seed.types.length && seed.types.length > 2 && i % 2 === 0) return;
            const [h, m] = hhmm.split(":").map(Number) as [number, number];
            slot(new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), h, m, 0, TZ));
          });
        }
        if (c.slug === "vc-centrum" && t.code === "ssk") slot(soon);
        if (c.slug === "vc-centrum" && t.code === "prov") slot(tomorrow);
      }
    }
    await importTransactionBundle(
      {
        tx,
        client: {
          id: "00000000-0000-0000-0000-000000000000",
          name: "demo seed",
          clinicHsaIds: clinicSeeds.map((c) => c.clinic.hsaId),
          scopes: ["system/*.cruds"],
        },
        now,
        keys: options.keys,
        baseUrl: "urn:vardtid:seed",
        publicBaseUrl: "http://localhost",
        bundleRefs: new Map(),
        audit: [],
      },
      { resourceType: "Bundle", type: "transaction", entry },
    );
    // What FHIR does not carry (the demo's slugs, sister groups).
    for (const seed of clinicSeeds) {
      const c = seed.clinic;
      await tx
        .update(s.clinics)
        .set({
          slug: c.slug,
          region: c.region,
          sisterGroup: c.sisterGroup ?? null,
        })
        .where(eq(s.clinics.hsaId, c.hsaId));
    }
    const allSlots = (
      await tx
        .select({ id: s.slots.id, startsAt: s.slots.startsAt, clinic: s.clinics.slug, type: s.appointmentTypes.code })
        .from(s.slots)
        .innerJoin(s.clinics, eq(s.clinics.id, s.slots.clinicId))
        .innerJoin(s.appointmentTypes, eq(s.appointmentTypes.id, s.slots.typeId))
    ).filter((x) => x.startsAt.getTime() !== soon.getTime() && x.startsAt.getTime() !== tomorrow.getTime());

    const pick = (clinic: string, type: string, from: Date, skip = 0) =>
      allSlots
        .filter((x) => x.clinic === clinic && x.type === type && x.startsAt > from)
        .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())[skip];
    const pickBefore = (clinic: string, type: string, before: Date, skip = 0) =>
      allSlots
        .filter((x) => x.clinic === clinic && x.type === type && x.startsAt < before)
        .sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime())[skip];

    const book = async (
      patientIndex: number | { childIndex: number },
      slot: { id: string; startsAt: Date } | undefined,
      status: "booked" | "completed" = "booked",
    ) => {
      if (!slot) return;
      const patientId =
        typeof patientIndex === "number" ? patientIds[patientIndex]! : childIds[patientIndex.childIndex]!;
      const [created] = await tx
        .insert(s.appointments)
        .values({ patientId, slotId: slot.id, status, source: "clinic" })
        .returning({ id: s.appointments.id });
      appointmentCount++;
      // Reminders as a real booking queues them. Quiet hours are ignored here, and only here, so
      // that overdue reminders (the visit a few hours away) go out at once at any hour and the
      // demo's SMS inbox shows one right after the first start.
      await syncAppointmentReminders(tx, created!.id, now, {
        quietHours: { start: "00:00", end: "00:00" },
        sendOverdue: true,
      });
    };
    const hours = (h: number) => new Date(now.getTime() + h * 3_600_000);

    // Tolvan: one visit inside the 24 h cutoff (shows the phone number instead of cancel),
    // two rebookable ones next week and later, a psychiatry visit, and a not-cancellable first visit.
    {
      const [slot] = await tx
        .select({ id: s.slots.id, startsAt: s.slots.startsAt })
        .from(s.slots)
        .innerJoin(s.clinics, eq(s.clinics.id, s.slots.clinicId))
        .innerJoin(s.appointmentTypes, eq(s.appointmentTypes.id, s.slots.typeId))
        .where(and(eq(s.clinics.slug, "vc-centrum"), eq(s.appointmentTypes.code, "ssk"), eq(s.slots.startsAt, soon)))
        .limit(1);
      await book(0, slot);
    }
    await book(0, pick("vc-centrum", "prov", hours(24 * 6)));
    await book(0, pick("vc-centrum", "lakare", hours(24 * 16)));
    await book(0, pick("psykiatri-agatan", "psykolog", hours(24 * 9)));
    await book(0, pick("psykiatri-agatan", "nybesok", hours(24 * 20)));
    await book(0, pickBefore("vc-centrum", "ssk", hours(-24 * 5)), "completed");
    await book(0, pickBefore("vc-gottsunda", "lakare", hours(-24 * 19)), "completed");
    // Maja: a blood test tomorrow at the clinic that gives every text for patients.
    {
      const [slot] = await tx
        .select({ id: s.slots.id, startsAt: s.slots.startsAt })
        .from(s.slots)
        .innerJoin(s.clinics, eq(s.clinics.id, s.slots.clinicId))
        .innerJoin(s.appointmentTypes, eq(s.appointmentTypes.id, s.slots.typeId))
        .where(
          and(eq(s.clinics.slug, "vc-centrum"), eq(s.appointmentTypes.code, "prov"), eq(s.slots.startsAt, tomorrow)),
        )
        .limit(1);
      await book(3, slot);
    }
    // Other patients: each a couple of upcoming and one past visit.
    for (let p = 1; p < patientIds.length; p++) {
      await book(p, pick("vc-centrum", "lakare", hours(24 * (2 + p)), p));
      await book(p, pick("vc-gottsunda", "ssk", hours(24 * (8 + p)), p));
      await book(p, pickBefore("vc-centrum", "lakare", hours(-24 * (3 + p)), p), "completed");
    }
    // Tolvan's children: Lilla (7) two doctor's visits at Gottsunda, Tolva (14) one.
    await book({ childIndex: 0 }, pick("vc-gottsunda", "lakare", hours(24 * 10)));
    await book({ childIndex: 0 }, pick("vc-gottsunda", "lakare", hours(24 * 18)));
    await book({ childIndex: 1 }, pick("vc-gottsunda", "lakare", hours(24 * 11), 1));
  });
  return { slots: slotCount, appointments: appointmentCount };
}
