// A push reminder says as little as an SMS: the time and the clinic's SMS-safe name. The link
// (an opaque deep link) travels in the payload, not in the text.
import { when, type SmsLanguage } from "@/lib/sms/reminder-text";

export function reminderPushText({
  lang,
  startsAt,
  timeZone,
  clinicSmsName,
  offersChange,
}: {
  lang: SmsLanguage;
  startsAt: Date;
  timeZone: string;
  clinicSmsName: string;
  /** As for the SMS: offer cancel/rebook only if the patient can still act on it. */
  offersChange: boolean;
}): { title: string; body: string } {
  const time = when(startsAt, lang, timeZone);
  if (lang === "sv")
    return {
      title: "Påminnelse från Vårdtid",
      body: `Du har en tid ${time} hos ${clinicSmsName}. ${
        offersChange
          ? "Tryck för att se, av- eller omboka."
          : "Tryck för att se tiden. Ring mottagningen för att ändra."
      }`,
    };
  return {
    title: "Reminder from Vårdtid",
    body: `You have an appointment ${time} at ${clinicSmsName}. ${
      offersChange ? "Tap to view, cancel or rebook." : "Tap to view it. To change it, call the clinic."
    }`,
  };
}
