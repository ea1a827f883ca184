// GET /api/appointments: the data of "Mina tider" (the page itself is a prerendered shell without
// patient data). Audited like the page was (`appointment.list`), never cached.
import { z } from "zod";
import { listAppointments } from "@/lib/appointments/list-appointments";
import { toListItem } from "@/lib/appointments/list-json";
import type { AppointmentList } from "@/lib/appointments/list-item";
import { guardianRule } from "@/lib/guardians/custody";
import { whoIsLoggedIn } from "@/lib/guardians/who-is-logged-in";
import { localeCookie } from "@/i18n/locales";
import { requestLocale } from "@/i18n/negotiate";
import { patientDataRoute } from "./patient-data-route";

export const appointmentsRoute = patientDataRoute(
  z.object({}),
  async (_input, { session, meta, db, cookie, headers }): Promise<AppointmentList> => {
    const locale = requestLocale(cookie(localeCookie), headers["accept-language"]);
    const now = new Date();
    const [{ upcoming, past }, who] = await Promise.all([
      listAppointments(db, session.patientId, { locale, now, audit: { ip: meta.ip, userAgent: meta.userAgent } }),
      whoIsLoggedIn(db, session, guardianRule(now)),
    ]);
    return {
      upcoming: upcoming.map((a) => toListItem(a, locale, now)),
      past: past.map((a) => toListItem(a, locale, now)),
      who,
    };
  },
);
