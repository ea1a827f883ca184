// The clinic's own texts for patients: how to get there, help with transport, what happens if
// you are late, the fee for a missed visit, what ID to bring and how to check in. Each is written
// by the clinic in Swedish and, where it gives one, English (FHIR Organization extensions
// `<name>-sv` / `<name>-en`, lib/fhir/resources/organization.ts); empty means "not shown at all".
import type { clinics } from "@/db/schema";
import type { Locale } from "@/i18n/locales";

type ClinicRow = typeof clinics.$inferSelect;

/** The texts in the order the visit page shows them, with their columns and extension names. */
export const CLINIC_TEXTS = [
  { key: "directions", sv: "directions", en: "directionsEn", ext: "directions" },
  { key: "transportInfo", sv: "patientTransportInfo", en: "patientTransportInfoEn", ext: "patient-transport-info" },
  { key: "checkIn", sv: "checkInSv", en: "checkInEn", ext: "check-in" },
  { key: "identification", sv: "identificationSv", en: "identificationEn", ext: "identification" },
  { key: "lateArrival", sv: "lateArrivalSv", en: "lateArrivalEn", ext: "late-arrival" },
  { key: "missedVisitFee", sv: "missedVisitFeeSv", en: "missedVisitFeeEn", ext: "missed-visit-fee" },
] as const satisfies readonly { key: string; sv: keyof ClinicRow; en: keyof ClinicRow; ext: string }[];

export type ClinicTextKey = (typeof CLINIC_TEXTS)[number]["key"];
export type ClinicTextColumn = (typeof CLINIC_TEXTS)[number]["sv" | "en"];

/** A clinic text as shown, with the language it is written in (for `lang` where it differs). */
export interface ClinicText {
  text: string;
  lang: "sv" | "en";
}

/**
 * The text a patient reading `locale` gets: English for English readers where the clinic wrote
 * one, otherwise Swedish (the clinics write no other language); the other one if only that exists.
 */
export function pickClinicText(sv: string, en: string, locale: Locale): ClinicText | null {
  const order: ClinicText[] = [
    { text: sv.trim(), lang: "sv" },
    { text: en.trim(), lang: "en" },
  ];
  if (locale === "en") order.reverse();
  return order.find((t) => t.text !== "") ?? null;
}

export function clinicTexts(
  row: Pick<ClinicRow, ClinicTextColumn>,
  locale: Locale,
): Record<ClinicTextKey, ClinicText | null> {
  return Object.fromEntries(CLINIC_TEXTS.map((t) => [t.key, pickClinicText(row[t.sv], row[t.en], locale)])) as Record<
    ClinicTextKey,
    ClinicText | null
  >;
}

/** The `lang` attribute for a clinic text on a page in `locale`: only where it differs. */
export function clinicTextLang(text: ClinicText, locale: Locale): "sv" | "en" | undefined {
  return text.lang === locale ? undefined : text.lang;
}
