// Texts for reminder and earlier-time SMS.
//
// Privacy: an SMS can be read on a lock screen or by whoever holds the phone, so the text
// carries only the time, the clinic's SMS-safe name (a psychiatric clinic is not named) and
// an opaque link. Never the patient's name, the appointment type or the practitioner.
//
// Encoding: the text is kept inside the GSM 03.38 basic character set. One character outside
// it (an en dash, a curly quote, an ellipsis) switches the whole message to UCS-2, which cuts
// a segment from 160 to 70 characters and so triples the cost and the number of parts.
// Swedish å, ä, ö, Å, Ä, Ö are in the basic set; the clinic name is folded into it.
import { format } from "date-fns";
import { enGB, sv } from "date-fns/locale";
import { TZDate } from "@date-fns/tz";

export type SmsLanguage = "sv" | "en";

export interface ReminderTextInput {
  lang: SmsLanguage;
  startsAt: Date;
  /** IANA zone of the clinic; the time is shown as the clinic's wall clock. */
  timeZone: string;
  /** The clinic's SMS-safe name, never its full name if that reveals the kind of care. */
  clinicSmsName: string;
  /** An opaque deep link (e.g. https://host/l/<token>); must already be GSM-7 safe. */
  link: string;
}

export interface OfferTextInput extends ReminderTextInput {
  /** When the offer lapses. */
  respondBy: Date;
  /**
   * When the text is written. The deadline is shown as a bare time only when it falls on the
   * same clinic day as `now`; otherwise the day is spelt out, so an offer created at 23:00
   * that lapses at 09:00 never reads as "by 09:00" today.
   */
  now: Date;
}

// GSM 03.38 default alphabet, without the escape (extension) table.
const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_BASIC_SET = new Set(GSM7_BASIC);

// Typography that admin-entered names often carry (pasted from a word processor).
const TYPOGRAPHIC: Record<string, string> = {
  "\u2010": "-",
  "\u2011": "-",
  "\u2012": "-",
  "\u2013": "-",
  "\u2014": "-",
  "\u2015": "-",
  "\u2212": "-",
  "\u2018": "'",
  "\u2019": "'",
  "\u201A": "'",
  "\u201B": "'",
  "\u2032": "'",
  "\u00B4": "'",
  "`": "'",
  "\u201C": '"',
  "\u201D": '"',
  "\u201E": '"',
  "\u201F": '"',
  "\u2033": '"',
  "\u00AB": '"',
  "\u00BB": '"',
  "\u2026": "...",
};

function isGsm7Basic(text: string): boolean {
  for (const ch of text) if (!GSM7_BASIC_SET.has(ch)) return false;
  return true;
}

/** Folds a free-text name into single-line GSM-7 basic text; unmappable characters are dropped. */
function toGsm7Name(name: string): string {
  let out = "";
  for (const ch of name.replace(/\s+/gu, " ")) {
    if (GSM7_BASIC_SET.has(ch)) {
      out += ch;
      continue;
    }
    const mapped = TYPOGRAPHIC[ch];
    if (mapped !== undefined) {
      out += mapped;
      continue;
    }
    // Accented letters outside the set (ë, á, č ...) lose their accent rather than the letter.
    const base = ch.normalize("NFD").replace(/\p{M}/gu, "");
    if (isGsm7Basic(base)) out += base;
  }
  return out.replace(/ {2,}/g, " ").trim();
}

function checkLink(link: string): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new RangeError("link must be an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new RangeError("link must be http(s)");
  // Rewriting a link would break it, so refuse instead of folding like the clinic name.
  if (!isGsm7Basic(link) || /\s/.test(link)) throw new RangeError("link must contain only GSM-7 basic characters");
  return link;
}

function local(instant: Date, timeZone: string): TZDate {
  return new TZDate(instant.getTime(), timeZone);
}

// "tis 3 dec" / "Tue 3 Dec". date-fns' Swedish short months end in a period ("dec."),
// which reads as clutter in an SMS, so it is dropped.
function dayLabel(instant: Date, lang: SmsLanguage, timeZone: string): string {
  const z = local(instant, timeZone);
  const locale = lang === "sv" ? sv : enGB;
  const month = format(z, "MMM", { locale }).replace(/\.$/, "");
  return `${format(z, "EEE", { locale })} ${format(z, "d")} ${month}`;
}

function clock(instant: Date, timeZone: string): string {
  return format(local(instant, timeZone), "HH:mm");
}

/** "tis 3 dec kl 09:40" / "Tue 3 Dec at 09:40": also used by push notifications. */
export function when(instant: Date, lang: SmsLanguage, timeZone: string): string {
  return `${dayLabel(instant, lang, timeZone)} ${lang === "sv" ? "kl" : "at"} ${clock(instant, timeZone)}`;
}

function sameClinicDay(a: Date, b: Date, timeZone: string): boolean {
  return format(local(a, timeZone), "yyyy-MM-dd") === format(local(b, timeZone), "yyyy-MM-dd");
}

export function reminderText({ lang, startsAt, timeZone, clinicSmsName, link }: ReminderTextInput): string {
  const clinic = toGsm7Name(clinicSmsName);
  const url = checkLink(link);
  const time = when(startsAt, lang, timeZone);
  return lang === "sv"
    ? `Påminnelse: du har en tid ${time} hos ${clinic}. Se, av- eller omboka: ${url}`
    : `Reminder: you have an appointment ${time} at ${clinic}. View, cancel or rebook: ${url}`;
}

export function offerText({ lang, startsAt, respondBy, now, timeZone, clinicSmsName, link }: OfferTextInput): string {
  const clinic = toGsm7Name(clinicSmsName);
  const url = checkLink(link);
  const time = when(startsAt, lang, timeZone);
  const sameDay = sameClinicDay(respondBy, now, timeZone);
  if (lang === "sv") {
    const deadline = sameDay ? `kl ${clock(respondBy, timeZone)}` : when(respondBy, lang, timeZone);
    return `En tidigare tid finns: ${time} hos ${clinic}. Svara senast ${deadline} via länken: ${url}`;
  }
  const deadline = sameDay ? clock(respondBy, timeZone) : when(respondBy, lang, timeZone);
  return `An earlier time is available: ${time} at ${clinic}. Respond by ${deadline} via the link: ${url}`;
}

export interface ClinicChangeTextInput extends ReminderTextInput {
  kind: "moved" | "cancelled";
  /** The time the patient had before a move (shown as "din tid … är flyttad till …"). */
  previousStartsAt?: Date;
}

/**
 * When the clinic (its booking system) moves or cancels a visit. The same rules as a reminder:
 * time, the SMS-safe clinic name and an opaque link, nothing else.
 */
export function clinicChangeText(input: ClinicChangeTextInput): string {
  const clinic = toGsm7Name(input.clinicSmsName);
  const url = checkLink(input.link);
  const time = when(input.startsAt, input.lang, input.timeZone);
  if (input.kind === "cancelled")
    return input.lang === "sv"
      ? `Din tid ${time} hos ${clinic} är inställd av mottagningen, se Vårdtid: ${url}`
      : `Your appointment ${time} at ${clinic} has been cancelled by the clinic, see Vårdtid: ${url}`;
  const before = input.previousStartsAt ? when(input.previousStartsAt, input.lang, input.timeZone) : null;
  if (input.lang === "sv")
    return before
      ? `Din tid ${before} hos ${clinic} är flyttad till ${time}, se Vårdtid: ${url}`
      : `Din tid hos ${clinic} är flyttad till ${time}, se Vårdtid: ${url}`;
  return before
    ? `Your appointment ${before} at ${clinic} has been moved to ${time}, see Vårdtid: ${url}`
    : `Your appointment at ${clinic} has been moved to ${time}, see Vårdtid: ${url}`;
}
