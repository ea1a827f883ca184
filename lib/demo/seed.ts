// Demo data: three clinics of a fictional part of Region Uppsala, a few weeks of slots around
// "now", and test patients with Luhn-correct numbers from the test series (never a real person).
import { TZDate } from "@date-fns/tz";
import { addDays, startOfDay } from "date-fns";
import { and, count, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import * as s from "@/db/schema";
import { encryptPii, keyedHash, type PiiKeys } from "@/lib/privacy/crypto";
import { syncAppointmentReminders } from "@/lib/reminders/sync";

const TZ = "Europe/Stockholm";

export const demoPatients = [
  { personalNumber: "191212121212", givenName: "Tolvan", surname: "Tolvansson", phone: "+46701740605" },
  { personalNumber: "198112289874", givenName: "Elsa", surname: "Provsson", phone: "+46701740606" },
  { personalNumber: "197802022389", givenName: "Karl", surname: "Testman", phone: "+46701740607" },
  { personalNumber: "195001182046", givenName: "Maja", surname: "Exempelsson", phone: "+46701740608" },
  { personalNumber: "194107086995", givenName: "Sven", surname: "Demosson", phone: "+46701740609" },
] as const;

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
  clinic: typeof s.clinics.$inferInsert;
  types: TypeSeed[];
}

const transportInfo =
  "Har du svårt att ta dig till vården kan du ha rätt till sjukresa med taxi eller specialfordon. Beställ via Sjukresor Region Uppsala, 018-611 00 00, senast dagen före besöket.";

const clinicSeeds: ClinicSeed[] = [
  {
    clinic: {
      slug: "vc-centrum",
      name: "Vårdcentralen Centrum",
      smsName: "Vårdcentralen Centrum",
      region: "Region Uppsala",
      address: "Kungsgatan 41, 753 21 Uppsala",
      directions: "Två minuters promenad från Uppsala centralstation. Entré från gården, hiss till plan 2.",
      phone: "018-611 00 01",
      cancelCutoffHours: 24,
      sisterGroup: "uppsala-vardcentraler",
      patientTransportInfo: transportInfo,
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
      name: "Psykiatrimottagning Ågatan",
      smsName: "Mottagningen Ågatan",
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

    const today = startOfDay(new TZDate(now, TZ));
    // Slots per clinic and type: [slotId, startsAt, clinicIndex, typeCode]
    const allSlots: { id: string; startsAt: Date; clinic: string; type: string }[] = [];
    for (const seed of clinicSeeds) {
      const [clinic] = await tx.insert(s.clinics).values(seed.clinic).returning({ id: s.clinics.id });
      for (const [typeIndex, t] of seed.types.entries()) {
        const [type] = await tx
          .insert(s.appointmentTypes)
          .values({
            clinicId: clinic!.id,
            code: t.code,
            nameSv: t.nameSv,
            nameEn: t.nameEn,
            durationMinutes: t.durationMinutes,
            cancellable: t.cancellable ?? true,
            rebookable: t.rebookable ?? true,
            cancelCutoffHours: t.cancelCutoffHours,
            preparationSv: t.preparationSv ?? "",
            preparationEn: t.preparationEn ?? "",
            isVideo: t.isVideo ?? false,
            allowSisterClinics: t.allowSisterClinics ?? false,
            waitlistEnabled: t.waitlistEnabled ?? true,
          })
          .returning({ id: s.appointmentTypes.id });
        const [practitioner] = await tx
          .insert(s.practitioners)
          .values({ clinicId: clinic!.id, roleSv: t.roleSv, roleEn: t.roleEn })
          .returning({ id: s.practitioners.id });
        const rows: (typeof s.slots.$inferInsert)[] = [];
        for (let d = -weeksBack * 7; d <= weeksAhead * 7; d++) {
          const day = addDays(today, d);
          const weekday = day.getDay();
          if (weekday === 0 || weekday === 6) continue;
          // Each type gets a share of the day's times, so types do not all sit at the same minute.
          dayStarts.forEach((hhmm, i) => {
            if (i % seed.types.length !== typeIndex % seed.types.length && seed.types.length > 2 && i % 2 === 0) return;
            const [h, m] = hhmm.split(":").map(Number) as [number, number];
            const start = new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), h, m, 0, TZ);
            const end = new Date(start.getTime() + t.durationMinutes * 60_000);
            rows.push({
              clinicId: clinic!.id,
              typeId: type!.id,
              practitionerId: practitioner!.id,
              startsAt: new Date(start.getTime()),
              endsAt: end,
            });
          });
        }
        for (let i = 0; i < rows.length; i += 500) {
          const inserted = await tx
            .insert(s.slots)
            .values(rows.slice(i, i + 500))
            .returning({ id: s.slots.id, startsAt: s.slots.startsAt });
          for (const r of inserted)
            allSlots.push({ id: r.id, startsAt: r.startsAt, clinic: seed.clinic.slug, type: t.code });
        }
        slotCount += rows.length;
      }
    }

    const pick = (clinic: string, type: string, from: Date, skip = 0) =>
      allSlots
        .filter((x) => x.clinic === clinic && x.type === type && x.startsAt > from)
        .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())[skip];
    const pickBefore = (clinic: string, type: string, before: Date, skip = 0) =>
      allSlots
        .filter((x) => x.clinic === clinic && x.type === type && x.startsAt < before)
        .sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime())[skip];

    const book = async (
      patientIndex: number,
      slot: { id: string; startsAt: Date } | undefined,
      status: "booked" | "completed" = "booked",
    ) => {
      if (!slot) return;
      const [created] = await tx
        .insert(s.appointments)
        .values({ patientId: patientIds[patientIndex]!, slotId: slot.id, status, source: "clinic" })
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
    // A visit a few hours away, whatever the time of the seed: it shows "call the clinic" instead of
    // cancel (inside the 24 h cutoff), so every demo and test run has one.
    {
      const soon = new Date(Math.ceil((now.getTime() + 4 * 3_600_000) / 300_000) * 300_000);
      const [clinic] = await tx.select().from(s.clinics).where(eq(s.clinics.slug, "vc-centrum"));
      const [type] = await tx
        .select()
        .from(s.appointmentTypes)
        .where(and(eq(s.appointmentTypes.clinicId, clinic!.id), eq(s.appointmentTypes.code, "ssk")));
      const [slot] = await tx
        .insert(s.slots)
        .values({
          clinicId: clinic!.id,
          typeId: type!.id,
          startsAt: soon,
          endsAt: new Date(soon.getTime() + type!.durationMinutes * 60_000),
        })
        .returning({ id: s.slots.id, startsAt: s.slots.startsAt });
      slotCount++;
      await book(0, slot);
    }
    await book(0, pick("vc-centrum", "prov", hours(24 * 6)));
    await book(0, pick("vc-centrum", "lakare", hours(24 * 16)));
    await book(0, pick("psykiatri-agatan", "psykolog", hours(24 * 9)));
    await book(0, pick("psykiatri-agatan", "nybesok", hours(24 * 20)));
    await book(0, pickBefore("vc-centrum", "ssk", hours(-24 * 5)), "completed");
    await book(0, pickBefore("vc-gottsunda", "lakare", hours(-24 * 19)), "completed");
    // Other patients: each a couple of upcoming and one past visit.
    for (let p = 1; p < patientIds.length; p++) {
      await book(p, pick("vc-centrum", "lakare", hours(24 * (2 + p)), p));
      await book(p, pick("vc-gottsunda", "ssk", hours(24 * (8 + p)), p));
      await book(p, pickBefore("vc-centrum", "lakare", hours(-24 * (3 + p)), p), "completed");
    }
  });
  return { slots: slotCount, appointments: appointmentCount };
}
