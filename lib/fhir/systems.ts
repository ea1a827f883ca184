// The names integrators depend on: identifier systems, extension URLs and code systems. One place,
// so the API, the docs and the CapabilityStatement cannot drift apart.

/** Base of every Vårdtid-defined FHIR URL (extensions, code systems, naming systems). */
export const VARDTID_FHIR = "https://vardtid.se/fhir";

/** HSA-id of a care unit: the RIV-TA OID is what we emit; HL7 Sweden's alias is accepted too. */
export const HSA_SYSTEM = "urn:oid:1.2.752.129.2.1.4.1";
export const HSA_SYSTEMS = [HSA_SYSTEM, "urn:oid:1.2.752.29.4.19"] as const;

export const PERSONNUMMER_SYSTEM = "http://electronichealth.se/identifier/personnummer";
export const PERSONNUMMER_SYSTEMS = [PERSONNUMMER_SYSTEM, "urn:oid:1.2.752.129.2.1.3.1"] as const;
export const SAMORDNINGSNUMMER_SYSTEM = "http://electronichealth.se/identifier/samordningsnummer";
export const SAMORDNINGSNUMMER_SYSTEMS = [SAMORDNINGSNUMMER_SYSTEM, "urn:oid:1.2.752.129.2.1.3.3"] as const;

/** Used when a booking system sends a code or id without a system of its own. */
export const LOCAL_SYSTEMS = {
  appointmentType: `${VARDTID_FHIR}/NamingSystem/appointment-type-code`,
  practitionerRole: `${VARDTID_FHIR}/NamingSystem/practitioner-role-id`,
  schedule: `${VARDTID_FHIR}/NamingSystem/schedule-id`,
  slot: `${VARDTID_FHIR}/NamingSystem/slot-id`,
  appointment: `${VARDTID_FHIR}/NamingSystem/appointment-id`,
} as const;

/** Why a patient cancelled (lib/appointments/service.ts CANCEL_REASONS). */
export const CANCEL_REASON_SYSTEM = `${VARDTID_FHIR}/CodeSystem/cancel-reason`;
/** Practitioner roles as text codes: the role is what patients see. */
export const ROLE_SYSTEM = `${VARDTID_FHIR}/CodeSystem/practitioner-role`;

export const ext = (name: string) => `${VARDTID_FHIR}/StructureDefinition/${name}`;

/** Extensions on Organization (clinic settings) and HealthcareService (type settings). */
export const EXT = {
  smsName: ext("sms-safe-name"),
  cancelCutoffHours: ext("cancel-cutoff-hours"),
  offerFairness: ext("offer-fairness"),
  offerBatchSize: ext("offer-batch-size"),
  offerAnswerMinutes: ext("offer-answer-minutes"),
  pushFirst: ext("push-first"),
  pushEscalationMinutes: ext("push-escalation-minutes"),
  smsOnClinicChange: ext("sms-on-clinic-change"),
  durationMinutes: ext("duration-minutes"),
  cancellable: ext("cancellable"),
  rebookable: ext("rebookable"),
  video: ext("video"),
  sisterClinicsAllowed: ext("sister-clinics-allowed"),
  waitlistAllowed: ext("waitlist-allowed"),
  nameEn: ext("name-en"),
  preparationSv: ext("preparation-sv"),
  preparationEn: ext("preparation-en"),
} as const;

/**
 * The clinic's texts for patients on Organization, one extension per language:
 * `directions-sv`, `directions-en`, `patient-transport-info-sv`, … (lib/appointments/clinic-texts.ts
 * lists the names: directions, patient-transport-info, check-in, identification, late-arrival,
 * missed-visit-fee). valueString; absent or empty = not shown.
 */
export const clinicTextExt = (name: string, lang: "sv" | "en") => ext(`${name}-${lang}`);

export function isHsaSystem(system: string | undefined): boolean {
  return system !== undefined && (HSA_SYSTEMS as readonly string[]).includes(system);
}

export type PersonIdKind = "personnummer" | "samordningsnummer";

export function personIdKind(system: string | undefined): PersonIdKind | null {
  if (system === undefined) return null;
  if ((PERSONNUMMER_SYSTEMS as readonly string[]).includes(system)) return "personnummer";
  if ((SAMORDNINGSNUMMER_SYSTEMS as readonly string[]).includes(system)) return "samordningsnummer";
  return null;
}

/** `system|value`, `|value` or `value` as in FHIR token search parameters. */
export function parseToken(raw: string): { system: string | undefined; value: string } {
  const bar = raw.indexOf("|");
  if (bar < 0) return { system: undefined, value: raw };
  const system = raw.slice(0, bar);
  return { system: system === "" ? undefined : system, value: raw.slice(bar + 1) };
}
