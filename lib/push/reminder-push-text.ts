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
  return lang === "sv"
    ? {
        title: "Påminnelse från Vårdtid",
        body: `Du har en tid ${time} hos ${clinicSmsName}. Tryck för att se, av- eller omboka.`,
      }
    : {
        title: "Reminder from Vårdtid",
        body: `You have an appointment ${time} at ${clinicSmsName}. Tap to view, cancel or rebook.`,
      };
}
