// The answers to a patient's SMS reply, in their text language. Like the reminder they name the
// visit by its time and the clinic's SMS-safe name only, never its type or the patient's name.
// Swedish, English, Somali and Finnish answers stay in GSM-7; Arabic and Persian are UCS-2.
import { REPLY_KEYWORDS, when, type SmsLanguage } from "./reminder-text";

/** The visit as an answer names it: "tis 3 dec kl. 14:20" (the wording, with "kl."). */
export function replyWhen(instant: Date, lang: SmsLanguage, timeZone: string): string {
  const text = when(instant, lang, timeZone);
  return lang === "sv" ? text.replace(" kl ", " kl. ") : text;
}

export interface VisitRef {
  /** Already formatted with replyWhen. */
  time: string;
  /** The clinic's SMS-safe name, already folded to GSM-7. */
  clinic: string;
}

type Texts = {
  confirm(code: string, v: VisitRef): string;
  cancelled(v: VisitRef): string;
  alreadyCancelled(v: VisitRef): string;
  callClinic(v: VisitRef, phone: string): string;
  choose(keyword: string, list: string): string;
  noSuchCode: string;
  moved(v: VisitRef, code: string): string;
  expired(code: string): string;
  help(url: string): string;
};

const TEXTS: Record<SmsLanguage, Texts> = {
  sv: {
    confirm: (c, v) => `Svara JA ${c} inom 15 min för att avboka ${v.time} hos ${v.clinic}`,
    cancelled: (v) => `Avbokat: ${v.time} hos ${v.clinic}. Tack för att du lämnade tillbaka tiden.`,
    alreadyCancelled: (v) => `Besöket ${v.time} hos ${v.clinic} är redan avbokat.`,
    callClinic: (v, p) => `Det går inte att avboka ${v.time} via SMS. Ring ${v.clinic}: ${p}.`,
    choose: (k, l) => `Vilket besök? Svara ${k} och koden: ${l}`,
    noSuchCode: "Inget besök har den koden.",
    moved: (v, c) =>
      `Tiden i det SMS:et gäller inte längre. Ditt besök är nu ${v.time} hos ${v.clinic}. Svara AVBOKA ${c} för att avboka det.`,
    expired: (c) =>
      `Tiden för att svara JA har gått ut och inget är avbokat. Svara AVBOKA ${c} igen om du vill avboka.`,
    help: (u) =>
      `Vårdtid kan bara läsa AVBOKA och koden från påminnelsen. Se och ändra dina tider på ${u} eller ring din mottagning.`,
  },
  en: {
    confirm: (c, v) => `Reply YES ${c} within 15 min to cancel ${v.time} at ${v.clinic}`,
    cancelled: (v) => `Cancelled: ${v.time} at ${v.clinic}. Thank you for giving the time back.`,
    alreadyCancelled: (v) => `The appointment ${v.time} at ${v.clinic} is already cancelled.`,
    callClinic: (v, p) => `${v.time} cannot be cancelled by SMS. Call ${v.clinic}: ${p}.`,
    choose: (k, l) => `Which appointment? Reply ${k} and the code: ${l}`,
    noSuchCode: "No appointment has that code.",
    moved: (v, c) =>
      `That text's time no longer applies. Your appointment is now ${v.time} at ${v.clinic}. Reply CANCEL ${c} to cancel it.`,
    expired: (c) =>
      `The time to reply YES has run out and nothing was cancelled. Reply CANCEL ${c} again if you want to cancel.`,
    help: (u) =>
      `Vårdtid can only read CANCEL and the code from the reminder. See and change your appointments at ${u} or call your clinic.`,
  },
  ar: {
    confirm: (c, v) => `أرسل نعم ${c} خلال 15 دقيقة لإلغاء موعد ${v.time} في ${v.clinic}`,
    cancelled: (v) => `تم الإلغاء: ${v.time} في ${v.clinic}. شكرًا لإعادتك الموعد.`,
    alreadyCancelled: (v) => `الموعد ${v.time} في ${v.clinic} ملغى بالفعل.`,
    callClinic: (v, p) => `لا يمكن إلغاء موعد ${v.time} برسالة نصية. اتصل بـ ${v.clinic}: \u2066${p}\u2069`,
    choose: (k, l) => `أي موعد؟ أرسل ${k} مع الرمز: ${l}`,
    noSuchCode: "لا يوجد موعد بهذا الرمز.",
    moved: (v, c) => `الوقت في تلك الرسالة لم يعد صالحًا. موعدك الآن ${v.time} في ${v.clinic}. للإلغاء أرسل: إلغاء ${c}`,
    expired: (c) => `انتهت مهلة الرد بـ نعم ولم يُلغَ شيء. أرسل إلغاء ${c} مرة أخرى إذا أردت الإلغاء.`,
    help: (u) => `يفهم Vårdtid فقط كلمة إلغاء مع رمز التذكير. اطّلع على مواعيدك وغيّرها على ${u} أو اتصل بعيادتك.`,
  },
  fa: {
    confirm: (c, v) => `برای لغو نوبت ${v.time} در ${v.clinic}، ظرف 15 دقیقه بفرستید: بله ${c}`,
    cancelled: (v) => `لغو شد: ${v.time} در ${v.clinic}. سپاس که نوبت را پس دادید.`,
    alreadyCancelled: (v) => `نوبت ${v.time} در ${v.clinic} پیش‌تر لغو شده است.`,
    callClinic: (v, p) => `نوبت ${v.time} را نمی‌توان با پیامک لغو کرد. با ${v.clinic} تماس بگیرید: \u2066${p}\u2069`,
    choose: (k, l) => `کدام نوبت؟ ${k} را با کد بفرستید: ${l}`,
    noSuchCode: "نوبتی با این کد نیست.",
    moved: (v, c) =>
      `زمان آن پیامک دیگر معتبر نیست. نوبت شما اکنون ${v.time} در ${v.clinic} است. برای لغو بفرستید: لغو ${c}`,
    expired: (c) => `مهلت پاسخ بله تمام شد و چیزی لغو نشد. اگر می‌خواهید لغو کنید، دوباره بفرستید: لغو ${c}`,
    help: (u) =>
      `Vårdtid فقط «لغو» و کد یادآوری را می‌فهمد. نوبت‌هایتان را در ${u} ببینید و تغییر دهید یا با درمانگاه تماس بگیرید.`,
  },
  so: {
    confirm: (c, v) => `Ku jawaab HAA ${c} 15 daqiiqo gudahood si aad u joojiso ${v.time}, ${v.clinic}`,
    cancelled: (v) => `Waa la joojiyay: ${v.time}, ${v.clinic}. Waad ku mahadsan tahay inaad celisay waqtiga.`,
    alreadyCancelled: (v) => `Ballanta ${v.time}, ${v.clinic} horay ayaa loo joojiyay.`,
    callClinic: (v, p) => `Ballanta ${v.time} lagama joojin karo fariin qoraal ah. Wac ${v.clinic}: ${p}.`,
    choose: (k, l) => `Ballantee? Ku jawaab ${k} iyo koodhka: ${l}`,
    noSuchCode: "Ballan leh koodhkaas ma jirto.",
    moved: (v, c) =>
      `Waqtiga fariintaas hadda ma shaqeeyo. Ballantaadu hadda waa ${v.time}, ${v.clinic}. Ku jawaab JOOJI ${c} si aad u joojiso.`,
    expired: (c) =>
      `Waqtigii aad ku jawaabi lahayd HAA wuu dhacay, waxbana lama joojin. Ku jawaab JOOJI ${c} mar kale haddii aad rabto.`,
    help: (u) =>
      `Vårdtid waxay fahantaa oo keliya JOOJI iyo koodhka xusuusinta. Ka eeg oo ka beddel ballamahaaga ${u} ama wac rugtaada.`,
  },
  fi: {
    confirm: (c, v) => `Vastaa KYLLÄ ${c} 15 minuutin kuluessa, niin aika ${v.time}, ${v.clinic} perutaan`,
    cancelled: (v) => `Peruttu: ${v.time}, ${v.clinic}. Kiitos, että palautit ajan.`,
    alreadyCancelled: (v) => `Käynti ${v.time}, ${v.clinic} on jo peruttu.`,
    callClinic: (v, p) => `Aikaa ${v.time} ei voi perua tekstiviestillä. Soita: ${v.clinic}, ${p}.`,
    choose: (k, l) => `Mikä käynti? Vastaa ${k} ja koodi: ${l}`,
    noSuchCode: "Millään käynnillä ei ole tuota koodia.",
    moved: (v, c) =>
      `Viestin aika ei ole enää voimassa. Käyntisi on nyt ${v.time}, ${v.clinic}. Vastaa PERU ${c} peruaksesi sen.`,
    expired: (c) => `Aika vastata KYLLÄ päättyi, eikä mitään peruttu. Vastaa PERU ${c} uudelleen, jos haluat perua.`,
    help: (u) =>
      `Vårdtid ymmärtää vain sanan PERU ja muistutuksen koodin. Katso ja muuta aikojasi osoitteessa ${u} tai soita vastaanotollesi.`,
  },
};

export function replyTexts(lang: SmsLanguage): Texts {
  return TEXTS[lang];
}

/** "4821 tis 3 dec kl. 14:20; 5133 fre 6 dec kl. 09:00" for an answer that asks which visit. */
export function codeList(items: { code: string; time: string }[]): string {
  return items.map((i) => `${i.code} ${i.time}`).join("; ");
}

export function keyword(lang: SmsLanguage, kind: "cancel" | "yes"): string {
  return REPLY_KEYWORDS[lang][kind];
}

/**
 * To a number we have sent no reminder with a code: we know no patient and no language, so the
 * answer is Swedish and English, and says nothing about anyone's visits.
 */
export function unknownNumberText(url: string): string {
  return `Vårdtid hittar inget besök för det här numret. Se dina tider på ${url} eller ring din mottagning. We found no appointment for this number: see ${url}`;
}
