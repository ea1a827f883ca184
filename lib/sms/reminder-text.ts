// Texts for reminder and earlier-time SMS.
//
// Privacy: an SMS can be read on a lock screen or by whoever holds the phone, so the text
// carries only the time, the clinic's SMS-safe name (a psychiatric clinic is not named) and
// an opaque link. Never the patient's name, the appointment type or the practitioner.
//
// Encoding: Swedish, English, Somali and Finnish texts are kept inside the GSM 03.38 basic
// character set. One character outside
// it (an en dash, a curly quote, an ellipsis) switches the whole message to UCS-2, which cuts
// a segment from 160 to 70 characters and so triples the cost and the number of parts.
// Swedish and Finnish å, ä, ö, Å, Ä, Ö are in the basic set; the clinic name is folded into it.
// Arabic and Persian cannot be written in GSM-7 at all, so their texts are UCS-2 (70 characters a
// part, 67 once split) and kept short for that; lib/sms/reminder-text.test.ts pins the part counts.
// (Over ~300 lines because it holds every SMS wording in six languages, with and without the
// change offer; the rules stay beside the words they govern.)
import { format } from "date-fns";
import { enGB, sv } from "date-fns/locale";
import { TZDate } from "@date-fns/tz";
import { intlTag, type Locale } from "@/i18n/locales";

/** A patient's text language: every language of the app. */
export type SmsLanguage = Locale;

export interface ReminderTextInput {
  lang: SmsLanguage;
  startsAt: Date;
  /** IANA zone of the clinic; the time is shown as the clinic's wall clock. */
  timeZone: string;
  /** The clinic's SMS-safe name, never its full name if that reveals the kind of care. */
  clinicSmsName: string;
  /** An opaque deep link (e.g. https://host/l/<token>); must already be GSM-7 safe. */
  link: string;
  /**
   * The visit's reply code when the clinic lets patients cancel by replying to the SMS
   * ("Svara AVBOKA 4821 för att avboka"); absent otherwise. Left out when offersChange is false:
   * a reply could no longer cancel.
   */
  replyCode?: string | null;
  /**
   * Whether the patient can still cancel or rebook, with time to do it, when the SMS arrives
   * (see offersChange in lib/reminders/schedule). Required, so that no caller promises a change
   * by default: without it, the text says to call the clinic (the link shows its number).
   */
  offersChange: boolean;
  /**
   * A child's reminder sent to a guardian: the child's first name, so the guardian knows whose
   * visit it is ("Påminnelse: Lilla har en tid …"). The only name an SMS ever carries, and only
   * the first: never a surname, a personal number or anything about the care.
   */
  forName?: string | null;
}

export interface OfferTextInput extends Omit<ReminderTextInput, "offersChange"> {
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
function dayLabel(instant: Date, lang: "sv" | "en", timeZone: string): string {
  const z = local(instant, timeZone);
  const locale = lang === "sv" ? sv : enGB;
  const month = format(z, "MMM", { locale }).replace(/\.$/, "");
  return `${format(z, "EEE", { locale })} ${format(z, "d")} ${month}`;
}

function clock(instant: Date, timeZone: string): string {
  return format(local(instant, timeZone), "HH:mm");
}

// The other languages through Intl (date-fns has no Somali), Gregorian with Latin digits and a
// 24-hour clock like the app: "الثلاثاء، 3 ديسمبر الساعة 14:20", "ti 3.12. klo 14.20".
// Somali's and Arabic's short names are cryptic abbreviations, so they get the long ones.
const INTL_DAY: Record<"ar" | "fa" | "so" | "fi", Intl.DateTimeFormatOptions> = {
  ar: { weekday: "long", day: "numeric", month: "long" },
  fa: { weekday: "long", day: "numeric", month: "long" },
  so: { weekday: "long", day: "numeric", month: "long" },
  fi: { weekday: "short", day: "numeric", month: "numeric" },
};
const AT = { ar: "الساعة", fa: "ساعت", so: "saacadda", fi: "klo" } as const;

function intlPart(instant: Date, lang: "ar" | "fa" | "so" | "fi", timeZone: string, part: "day" | "time"): string {
  const options: Intl.DateTimeFormatOptions =
    part === "day" ? INTL_DAY[lang] : { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  return new Intl.DateTimeFormat(intlTag(lang), { ...options, timeZone }).format(instant);
}

function clockIn(instant: Date, lang: SmsLanguage, timeZone: string): string {
  return lang === "sv" || lang === "en" ? clock(instant, timeZone) : intlPart(instant, lang, timeZone, "time");
}

// Formatting an instant in a zone through date-fns and TZDate costs about 50 µs, most of a
// reminder's text, while a burst of reminders names few distinct visit times (a clinic's slots sit
// on a grid): the labels are kept, a bounded number, and the table is emptied when full.
const WHEN_CACHE_MAX = 8_192;
const whenCache = new Map<string, string>();

/** "tis 3 dec kl 09:40" / "Tue 3 Dec at 09:40": also used by push notifications. */
export function when(instant: Date, lang: SmsLanguage, timeZone: string): string {
  const key = `${instant.getTime()}|${lang}|${timeZone}`;
  let label = whenCache.get(key);
  if (label === undefined) {
    if (whenCache.size >= WHEN_CACHE_MAX) whenCache.clear();
    label = formatWhen(instant, lang, timeZone);
    whenCache.set(key, label);
  }
  return label;
}

function formatWhen(instant: Date, lang: SmsLanguage, timeZone: string): string {
  if (lang === "sv" || lang === "en") {
    return `${dayLabel(instant, lang, timeZone)} ${lang === "sv" ? "kl" : "at"} ${clock(instant, timeZone)}`;
  }
  return `${intlPart(instant, lang, timeZone, "day")} ${AT[lang]} ${intlPart(instant, lang, timeZone, "time")}`;
}

function sameClinicDay(a: Date, b: Date, timeZone: string): boolean {
  return format(local(a, timeZone), "yyyy-MM-dd") === format(local(b, timeZone), "yyyy-MM-dd");
}

/** The keywords a patient replies with, per language (see lib/sms/reply-cancel). */
export const REPLY_KEYWORDS: Record<SmsLanguage, { cancel: string; yes: string }> = {
  sv: { cancel: "AVBOKA", yes: "JA" },
  en: { cancel: "CANCEL", yes: "YES" },
  ar: { cancel: "إلغاء", yes: "نعم" },
  fa: { cancel: "لغو", yes: "بله" },
  so: { cancel: "JOOJI", yes: "HAA" },
  fi: { cancel: "PERU", yes: "KYLLÄ" },
};

function replyLine(lang: SmsLanguage, code: string | null | undefined): string {
  if (!code) return "";
  if (!/^\d{4}$/.test(code)) throw new RangeError("reply code must be 4 digits");
  const k = `${REPLY_KEYWORDS[lang].cancel} ${code}`;
  switch (lang) {
    case "sv":
      return ` Svara ${k} för att avboka.`;
    case "en":
      return ` Reply ${k} to cancel.`;
    case "ar":
      return ` للإلغاء أرسل: ${k}`;
    case "fa":
      return ` برای لغو بفرستید: ${k}`;
    case "so":
      return ` Ku jawaab ${k} si aad u joojiso.`;
    case "fi":
      return ` Vastaa ${k} peruaksesi.`;
  }
}

// Each variant fits one segment with a typical clinic name and link (a test measures it per language).
const CHANGE_ACTION: Record<SmsLanguage, { offers: string; call: string }> = {
  sv: { offers: "Se, av- eller omboka", call: "Ring mottagningen för att ändra" },
  en: { offers: "View, cancel or rebook", call: "To change, call the clinic" },
  ar: { offers: "للاطلاع أو الإلغاء أو التغيير", call: "للتغيير اتصل بالعيادة" },
  fa: { offers: "دیدن، لغو یا تغییر", call: "برای تغییر با درمانگاه تماس بگیرید" },
  so: { offers: "Eeg, jooji ama beddel", call: "Beddel? Wac rugta" },
  fi: { offers: "Katso, peru tai siirrä", call: "Soita vastaanotolle muuttaaksesi" },
};

/** A first name for an SMS: the first word only, folded to GSM-7 like a clinic name, at most 20 characters. */
function firstNameForSms(name: string, lang: SmsLanguage): string {
  const first = name.trim().split(/\s+/)[0] ?? "";
  return (lang === "ar" || lang === "fa" ? first : toGsm7Name(first)).slice(0, 20);
}

export function reminderText({
  lang,
  startsAt,
  timeZone,
  clinicSmsName,
  link,
  replyCode,
  offersChange,
  forName,
}: ReminderTextInput): string {
  const clinic = toGsm7Name(clinicSmsName);
  const name = forName ? firstNameForSms(forName, lang) : "";
  const url = checkLink(link);
  const time = when(startsAt, lang, timeZone);
  const action = offersChange ? CHANGE_ACTION[lang].offers : CHANGE_ACTION[lang].call;
  const reply = offersChange ? replyLine(lang, replyCode) : "";
  if (name) {
    switch (lang) {
      case "sv":
        return `Påminnelse: ${name} har en tid ${time} hos ${clinic}. ${action}: ${url}${reply}`;
      case "en":
        return `Reminder: ${name} has an appointment ${time} at ${clinic}. ${action}: ${url}${reply}`;
      case "ar":
        return `تذكير: لدى ${name} موعد ${time} في ${clinic}. ${action}: ${url}${reply}`;
      case "fa":
        return `یادآوری: نوبت ${name} ${time} در ${clinic}. ${action}: ${url}${reply}`;
      case "so":
        return `Xusuusin: ballanta ${name} waa ${time}, ${clinic}. ${action}: ${url}${reply}`;
      case "fi":
        return `Muistutus: ${name}, aika ${time}, ${clinic}. ${action}: ${url}${reply}`;
    }
  }
  switch (lang) {
    case "sv":
      return `Påminnelse: du har en tid ${time} hos ${clinic}. ${action}: ${url}${reply}`;
    case "en":
      return `Reminder: you have an appointment ${time} at ${clinic}. ${action}: ${url}${reply}`;
    case "ar":
      return `تذكير: لديك موعد ${time} في ${clinic}. ${action}: ${url}${reply}`;
    case "fa":
      return `یادآوری: نوبت شما ${time} در ${clinic}. ${action}: ${url}${reply}`;
    case "so":
      return `Xusuusin: ballantaadu waa ${time}, ${clinic}. ${action}: ${url}${reply}`;
    case "fi":
      return `Muistutus: sinulla on aika ${time}, ${clinic}. ${action}: ${url}${reply}`;
  }
}

export function offerText({
  lang,
  startsAt,
  respondBy,
  now,
  timeZone,
  clinicSmsName,
  link,
  forName,
}: OfferTextInput): string {
  const clinic = toGsm7Name(clinicSmsName);
  // Sent to a guardian: whose visit, by first name only (as the reminders say it).
  const name = forName ? firstNameForSms(forName, lang) : "";
  const url = checkLink(link);
  const time = when(startsAt, lang, timeZone);
  const sameDay = sameClinicDay(respondBy, now, timeZone);
  const by = (at: string) =>
    sameDay ? `${at} ${clockIn(respondBy, lang, timeZone)}` : when(respondBy, lang, timeZone);
  switch (lang) {
    case "sv":
      return `En tidigare tid finns${name ? ` för ${name}` : ""}: ${time} hos ${clinic}. Svara senast ${by("kl")} via länken: ${url}`;
    case "en": {
      const deadline = sameDay ? clock(respondBy, timeZone) : when(respondBy, lang, timeZone);
      return `An earlier time is available${name ? ` for ${name}` : ""}: ${time} at ${clinic}. Respond by ${deadline} via the link: ${url}`;
    }
    case "ar":
      return `يوجد موعد أبكر${name ? ` لـ${name}` : ""}: ${time} في ${clinic}. رُدّ قبل ${by(AT.ar)} عبر الرابط: ${url}`;
    case "fa":
      return `نوبت زودتری${name ? ` برای ${name}` : ""} هست: ${time} در ${clinic}. تا ${by(AT.fa)} از این لینک پاسخ دهید: ${url}`;
    case "so":
      return `Ballan ka horreysa ayaa${name ? ` u` : ""} banaan${name ? ` ${name}` : ""}: ${time} ee ${clinic}. Ka jawaab ka hor ${by(AT.so)} linkigan: ${url}`;
    case "fi":
      return `Aikaisempi aika vapautui${name ? ` (${name})` : ""}: ${time}, ${clinic}. Vastaa viimeistään ${by(AT.fi)} linkistä: ${url}`;
  }
}

/** The code that confirms a mobile number (settings). */
export function verificationText(lang: SmsLanguage, code: string): string {
  switch (lang) {
    case "sv":
      return `Din kod för Vårdtid: ${code}. Koden gäller i 10 minuter.`;
    case "en":
      return `Your Vårdtid code: ${code}. It is valid for 10 minutes.`;
    case "ar":
      return `رمزك في Vårdtid: ${code}. صالح لمدة 10 دقائق.`;
    case "fa":
      return `کد شما در Vårdtid: ${code}. این کد 10 دقیقه معتبر است.`;
    case "so":
      return `Koodhkaaga Vårdtid: ${code}. Wuxuu shaqaynayaa 10 daqiiqo.`;
    case "fi":
      return `Vårdtid-koodisi: ${code}. Koodi on voimassa 10 minuuttia.`;
  }
}

export { toGsm7Name as smsSafeName };

export interface ClinicChangeTextInput extends Omit<ReminderTextInput, "offersChange" | "replyCode"> {
  kind: "moved" | "cancelled";
  /** The time the patient had before a move (shown as "din tid … är flyttad till …"). */
  previousStartsAt?: Date;
}

/**
 * When the clinic (its booking system) moves or cancels a visit. The same rules as a reminder:
 * time, the SMS-safe clinic name and an opaque link, nothing else.
 */
export function clinicChangeText(input: ClinicChangeTextInput): string {
  const text = clinicChangeTextToPatient(input);
  if (!input.forName) return text;
  // Sent to a guardian: whose visit, by first name only, instead of "your".
  const name = firstNameForSms(input.forName, input.lang);
  switch (input.lang) {
    case "sv":
      return text.replace(/^Din tid/, `${/[sxz]$/i.test(name) ? name : `${name}s`} tid`);
    case "en":
      return text.replace(/^Your appointment/, `${name}'s appointment`);
    default:
      return `${name}: ${text}`;
  }
}

function clinicChangeTextToPatient(input: ClinicChangeTextInput): string {
  const clinic = toGsm7Name(input.clinicSmsName);
  const url = checkLink(input.link);
  const time = when(input.startsAt, input.lang, input.timeZone);
  if (input.kind === "cancelled") {
    switch (input.lang) {
      case "sv":
        return `Din tid ${time} hos ${clinic} är inställd av mottagningen, se Vårdtid: ${url}`;
      case "en":
        return `Your appointment ${time} at ${clinic} has been cancelled by the clinic, see Vårdtid: ${url}`;
      case "ar":
        return `ألغت العيادة ${clinic} موعدك ${time}، انظر Vårdtid: ${url}`;
      case "fa":
        return `درمانگاه ${clinic} نوبت ${time} شما را لغو کرد، ببینید Vårdtid: ${url}`;
      case "so":
        return `Rugta ${clinic} waxay joojisay ballantaada ${time}, eeg Vårdtid: ${url}`;
      case "fi":
        return `${clinic} on perunut aikasi ${time}, katso Vårdtid: ${url}`;
    }
  }
  const before = input.previousStartsAt ? when(input.previousStartsAt, input.lang, input.timeZone) : null;
  switch (input.lang) {
    case "sv":
      return before
        ? `Din tid ${before} hos ${clinic} är flyttad till ${time}, se Vårdtid: ${url}`
        : `Din tid hos ${clinic} är flyttad till ${time}, se Vårdtid: ${url}`;
    case "en":
      return before
        ? `Your appointment ${before} at ${clinic} has been moved to ${time}, see Vårdtid: ${url}`
        : `Your appointment at ${clinic} has been moved to ${time}, see Vårdtid: ${url}`;
    case "ar":
      return before
        ? `نُقل موعدك ${before} في ${clinic} إلى ${time}، انظر Vårdtid: ${url}`
        : `نُقل موعدك في ${clinic} إلى ${time}، انظر Vårdtid: ${url}`;
    case "fa":
      return before
        ? `نوبت ${before} شما در ${clinic} به ${time} منتقل شد، ببینید Vårdtid: ${url}`
        : `نوبت شما در ${clinic} به ${time} منتقل شد، ببینید Vårdtid: ${url}`;
    case "so":
      return before
        ? `Ballantaadii ${before} ee ${clinic} waxaa loo wareejiyay ${time}, eeg Vårdtid: ${url}`
        : `Ballantaada ${clinic} waxaa loo wareejiyay ${time}, eeg Vårdtid: ${url}`;
    case "fi":
      return before
        ? `Aikasi ${before}, ${clinic} on siirretty: ${time}, katso Vårdtid: ${url}`
        : `Aikasi, ${clinic} on siirretty: ${time}, katso Vårdtid: ${url}`;
  }
}
