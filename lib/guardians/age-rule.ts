// The age rule for guardians, as a pure function with an injected clock: a guardian may act for a
// child until the child turns `maxAge` (GUARDIAN_MAX_CHILD_AGE, default 13 as on 1177), counted in
// whole years on the calendar of Europe/Stockholm. A child born on 29 February turns a year older
// on 28 February in other years: the earlier day, so access never outlives the limit.
import { TZDate } from "@date-fns/tz";

export interface BirthDate {
  year: number;
  month: number; // 1–12
  day: number;
}

export const CARE_TIME_ZONE = "Europe/Stockholm";

/** Whole years completed on `now`'s date in Europe/Stockholm. */
export function ageOn(birth: BirthDate, now: Date, timeZone = CARE_TIME_ZONE): number {
  const local = new TZDate(now.getTime(), timeZone);
  const year = local.getFullYear();
  const month = local.getMonth() + 1;
  const day = local.getDate();
  const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const birthDay = birth.month === 2 && birth.day === 29 && !leap(year) ? 28 : birth.day;
  const hadBirthday = month > birth.month || (month === birth.month && day >= birthDay);
  return year - birth.year - (hadBirthday ? 0 : 1);
}

/**
 * May a patient born on `birth` log in and act for themselves at `now`? From `selfServiceAge`
 * (PATIENT_SELF_SERVICE_AGE, default 16). Younger children are served through a guardian until
 * the guardian limit; between the two ages neither uses the service online, as on 1177.
 */
export function patientMayUseOnline(birth: BirthDate, now: Date, selfServiceAge: number): boolean {
  return ageOn(birth, now) >= selfServiceAge;
}

/** May a guardian act for a child born on `birth`, at `now`? Never for someone not yet born. */
export function guardianMayActFor(birth: BirthDate, now: Date, maxAge: number): boolean {
  const age = ageOn(birth, now);
  return age >= 0 && age < maxAge;
}
