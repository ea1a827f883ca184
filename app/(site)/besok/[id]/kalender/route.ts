import { getLocale, getTranslations } from "next-intl/server";
import { z } from "zod";
import type { Locale } from "@/i18n/locales";
import { getAppointment } from "@/lib/appointments/get-appointment";
import { loginRedirect, patientRoute } from "@/lib/auth/patient-route";
import { appointmentIcs } from "@/lib/calendar/ics";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

// One appointment as an .ics file. The UID is the appointment's id, so after a rebook the
// calendar app replaces the event instead of adding a second one.
export const GET = patientRoute(
  z.object({ id: z.string().max(100) }),
  async ({ id }, { session, meta, db }) => {
    const locale = (await getLocale()) as Locale;
    const a = await getAppointment(db, session.patientId, id, {
      locale,
      now: new Date(),
      audit: { ip: meta.ip, userAgent: meta.userAgent },
    });
    // A foreign id answers exactly as a made-up one, so ids cannot be probed.
    if (!a) return new Response(null, { status: 404, headers: { "Cache-Control": "no-store" } });
    const t = await getTranslations("appointments");
    // Privacy: the summary names the visit generically and the clinic by its SMS-safe name only.
    const ics = appointmentIcs({
      uid: `${a.id}@vardtid`,
      sequence: a.version,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      summary: `${t("what")}: ${a.clinic.smsName}`,
      location: a.clinic.address,
      status: a.status === "cancelled" ? "CANCELLED" : "CONFIRMED",
      url: `${env().PUBLIC_BASE_URL}/besok/${a.id}`,
    });
    return new Response(ics, {
      headers: {
        "Content-Type": "text/calendar; charset=utf-8",
        "Content-Disposition": 'attachment; filename="vardtid.ics"',
        "Cache-Control": "private, no-store",
      },
    });
  },
  // The link is opened by the browser, not fetched: without a session it goes to the login page
  // and from there back to the visit, as the visit page itself does.
  { onUnauthorized: (_request, { id }) => loginRedirect(`/besok/${id ?? ""}`) },
);
