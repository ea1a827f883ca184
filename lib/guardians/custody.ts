// Custody, read from the `guardianships` rows the caregiver's systems wrote (FHIR RelatedPerson),
// and the one check every request makes: may this logged-in person act for that child now?
// Custody must hold (active, within its period) and the child must be under the age limit.
import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { guardianships, patients } from "@/db/schema";
import { env } from "@/lib/env";
import { parsePersonalNumber } from "@/lib/personal-number";
import { decryptPii, type PiiKeys } from "@/lib/privacy/crypto";
import { ageOn, guardianMayActFor, type BirthDate } from "./age-rule";

/**
 * v3 RoleCode (http://terminology.hl7.org/CodeSystem/v3-RoleCode) accepted as a guardian: GUARD
 * (guardian), PRN (parent), MTH (mother), FTH (father). Any other relationship is refused.
 */
export const GUARDIAN_ROLE_CODES = ["GUARD", "PRN", "MTH", "FTH"] as const;
export const V3_ROLE_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";

export interface CustodyPeriod {
  active: boolean;
  periodStart: Date | null;
  periodEnd: Date | null;
}

/** Custody holds at `now`: active, started, and not ended. */
export function custodyHolds(c: CustodyPeriod, now: Date): boolean {
  if (!c.active) return false;
  if (c.periodStart && c.periodStart.getTime() > now.getTime()) return false;
  if (c.periodEnd && c.periodEnd.getTime() <= now.getTime()) return false;
  return true;
}

/** The child's birth date, from their personal number (or coordination number, day − 60). */
export function birthDateOf(personalNumberEnc: string, keys: PiiKeys): BirthDate | null {
  const parsed = parsePersonalNumber(decryptPii(personalNumberEnc, keys));
  return parsed.ok ? parsed.personalNumber.birthDate : null;
}

export interface ChildChoice {
  patientId: string;
  givenName: string;
  surname: string;
  age: number;
}

/** The region's guardian rule as configured (GUARDIAN_MAX_CHILD_AGE, the column keys), at `now`. */
export function guardianRule(now = new Date()): GuardianRuleOptions {
  const e = env();
  return {
    now,
    keys: { encryptionKey: e.PII_ENCRYPTION_KEY, hmacKey: e.PII_HMAC_KEY },
    maxAge: e.GUARDIAN_MAX_CHILD_AGE,
  };
}

export interface GuardianRuleOptions {
  now: Date;
  keys: PiiKeys;
  maxAge: number;
}

/** The children this person may act for now (custody holds and under the limit), youngest first. */
export async function childrenFor(
  db: DbOrTx,
  guardianPatientId: string,
  opts: GuardianRuleOptions,
  onlyChildId?: string,
): Promise<ChildChoice[]> {
  const [guardian] = await db
    .select({ hash: patients.personalNumberHash })
    .from(patients)
    .where(eq(patients.id, guardianPatientId))
    .limit(1);
  if (!guardian) return [];
  const rows = await db
    .select({
      childId: guardianships.childPatientId,
      active: guardianships.active,
      periodStart: guardianships.periodStart,
      periodEnd: guardianships.periodEnd,
      givenName: patients.givenName,
      surname: patients.surname,
      pnrEnc: patients.personalNumberEnc,
    })
    .from(guardianships)
    .innerJoin(patients, eq(patients.id, guardianships.childPatientId))
    .where(
      and(
        eq(guardianships.guardianPersonalNumberHash, guardian.hash),
        onlyChildId ? eq(guardianships.childPatientId, onlyChildId) : undefined,
      ),
    )
    .orderBy(asc(patients.givenName));
  const out: ChildChoice[] = [];
  for (const r of rows) {
    // Nobody acts for themselves through custody (a row naming the guardian as their own child).
    if (r.childId === guardianPatientId || !custodyHolds(r, opts.now)) continue;
    const birth = birthDateOf(r.pnrEnc, opts.keys);
    if (!birth || !guardianMayActFor(birth, opts.now, opts.maxAge)) continue;
    if (out.some((c) => c.patientId === r.childId)) continue;
    out.push({ patientId: r.childId, givenName: r.givenName, surname: r.surname, age: ageOn(birth, opts.now) });
  }
  return out.sort((a, b) => a.age - b.age);
}

/** May `guardianPatientId` act for `childPatientId` now? */
export async function mayActFor(
  db: DbOrTx,
  guardianPatientId: string,
  childPatientId: string,
  opts: GuardianRuleOptions,
): Promise<ChildChoice | null> {
  const [child] = await childrenFor(db, guardianPatientId, opts, childPatientId);
  return child ?? null;
}
