import { getLocale } from "next-intl/server";
import { z } from "zod";
import { listAppointments } from "@/lib/appointments/list-appointments";
import { toListItem } from "@/lib/appointments/list-json";
import type { AppointmentList } from "@/lib/appointments/list-item";
import type { Locale } from "@/lib/appointments/types";
import { patientRoute } from "@/lib/auth/patient-route";
import { whoIsLoggedIn } from "@/lib/guardians/who-is-logged-in";

export const dynamic = "force-dynamic";

// The data of "Mina tider" (the page itself is a shell without patient data): a lean route
// handler, because a React page costs the server several times what the same query as JSON does
// (bench/README.md, part (a)). Audited like the page was (`appointment.list`), never cached.
export const GET = patientRoute(z.object({}), async (_input, { session, meta, db }) => {
  const locale = (await getLocale()) as Locale;
  const now = new Date();
  const [{ upcoming, past }, who] = await Promise.all([
    listAppointments(db, session.patientId, { locale, now, audit: { ip: meta.ip, userAgent: meta.userAgent } }),
    whoIsLoggedIn(session),
  ]);
  const body: AppointmentList = {
    upcoming: upcoming.map((a) => toListItem(a, locale, now)),
    past: past.map((a) => toListItem(a, locale, now)),
    who,
  };
  return Response.json(body, { headers: { "Cache-Control": "no-store", Vary: "Cookie" } });
});
