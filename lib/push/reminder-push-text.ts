// A push reminder says as little as an SMS: the time and the clinic's SMS-safe name. The link
// (an opaque deep link) travels in the payload, not in the text.
import { when, type SmsLanguage } from "@/lib/sms/reminder-text";

export function reminderPushText({
  lang,
  startsAt,
  timeZone,
  clinicSmsName,
}: {
  lang: SmsLanguage;
  startsAt: Date;
  timeZone: string;
  clinicSmsName: string;
}): { title: string; body: string } {
  const time = when(startsAt, lang, timeZone);
  switch (lang) {
    case "sv":
      return {
        title: "Påminnelse från Vårdtid",
        body: `Du har en tid ${time} hos ${clinicSmsName}. Tryck för att se, av- eller omboka.`,
      };
    case "en":
      return {
        title: "Reminder from Vårdtid",
        body: `You have an appointment ${time} at ${clinicSmsName}. Tap to view, cancel or rebook.`,
      };
    case "ar":
      return {
        title: "تذكير من Vårdtid",
        body: `لديك موعد ${time} في ${clinicSmsName}. اضغط للاطلاع عليه أو إلغائه أو تغيير موعده.`,
      };
    case "fa":
      return {
        title: "یادآوری از Vårdtid",
        body: `شما ${time} در ${clinicSmsName} نوبت دارید. برای دیدن، لغو یا تغییر نوبت بزنید.`,
      };
    case "so":
      return {
        title: "Xusuusin ka timid Vårdtid",
        body: `Waxaad ballan leedahay ${time} ee ${clinicSmsName}. Taabo si aad u aragto, u joojiso ama u beddesho.`,
      };
    case "fi":
      return {
        title: "Muistutus Vårdtidistä",
        body: `Sinulla on aika ${time}, ${clinicSmsName}. Napauta nähdäksesi, peruaksesi tai siirtääksesi.`,
      };
  }
}
