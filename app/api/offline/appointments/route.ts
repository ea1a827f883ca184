import { getLocale, getTranslations } from "next-intl/server";
import { z } from "zod";
import { listAppointments } from "@/lib/appointments/list-appointments";
import { patientRoute } from "@/lib/auth/patient-route";
import { formatShort, formatVisit, telHref } from "@/lib/format";
import type { Locale } from "@/i18n/locales";

export const dynamic = "force-dynamic";

// The minimal copy of "Mina tider" a patient may keep on their own device (opt-in): time,
// clinic, address, the clinic's phone number and preparations of upcoming visits, and when the
// copy was saved (date and time: a copy may be days old). Never cached by the service worker.
export const GET = patientRoute(z.object({}), async (_input, { session, meta, db }) => {
  const locale = (await getLocale()) as Locale;
  const now = new Date();
  const { upcoming } = await listAppointments(db, session.patientId, {
    locale,
    now,
    audit: { ip: meta.ip, userAgent: meta.userAgent },
  });
  const ta = await getTranslations("appointments");
  const td = await getTranslations("device");
  return Response.json(
    {
      locale,
      savedAt: now.toISOString(),
      savedAtLabel: formatShort(now, locale),
      text: {
        title: ta("title"),
        savedAt: td.raw("savedAt") as string,
        empty: td("empty"),
        retry: td("retry"),
        call: ta.raw("callClinic") as string,
      },
      appointments: upcoming
        .filter((a) => a.status === "booked")
        .map((a) => ({
          when: formatVisit(a.startsAt, locale, a.clinic.timeZone),
          clinicName: a.clinic.name,
          address: a.clinic.address,
          phone: a.clinic.phone,
          tel: telHref(a.clinic.phone),
          preparation: a.type.preparation,
        })),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
});
