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
  // The action sentence: offer cancel/rebook only while the patient can still act on it.
  const ACTION: Record<SmsLanguage, { offers: string; call: string }> = {
    sv: {
      offers: "Tryck för att se, av- eller omboka.",
      call: "Tryck för att se tiden. Ring mottagningen för att ändra.",
    },
    en: { offers: "Tap to view, cancel or rebook.", call: "Tap to view it. To change it, call the clinic." },
    ar: { offers: "اضغط للاطلاع عليه أو إلغائه أو تغيير موعده.", call: "اضغط للاطلاع عليه. للتغيير اتصل بالعيادة." },
    fa: {
      offers: "برای دیدن، لغو یا تغییر نوبت بزنید.",
      call: "برای دیدن نوبت بزنید. برای تغییر با درمانگاه تماس بگیرید.",
    },
    so: {
      offers: "Taabo si aad u aragto, u joojiso ama u beddesho.",
      call: "Taabo si aad u aragto. Si aad u beddesho, wac rugta.",
    },
    fi: {
      offers: "Napauta nähdäksesi, peruaksesi tai siirtääksesi.",
      call: "Napauta nähdäksesi. Soita vastaanotolle muuttaaksesi.",
    },
  };
  const action = offersChange ? ACTION[lang].offers : ACTION[lang].call;
  switch (lang) {
    case "sv":
      return { title: "Påminnelse från Vårdtid", body: `Du har en tid ${time} hos ${clinicSmsName}. ${action}` };
    case "en":
      return { title: "Reminder from Vårdtid", body: `You have an appointment ${time} at ${clinicSmsName}. ${action}` };
    case "ar":
      return { title: "تذكير من Vårdtid", body: `لديك موعد ${time} في ${clinicSmsName}. ${action}` };
    case "fa":
      return { title: "یادآوری از Vårdtid", body: `شما ${time} در ${clinicSmsName} نوبت دارید. ${action}` };
    case "so":
      return {
        title: "Xusuusin ka timid Vårdtid",
        body: `Waxaad ballan leedahay ${time} ee ${clinicSmsName}. ${action}`,
      };
    case "fi":
      return { title: "Muistutus Vårdtidistä", body: `Sinulla on aika ${time}, ${clinicSmsName}. ${action}` };
  }
}
