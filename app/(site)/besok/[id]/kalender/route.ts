import { getTranslations } from "next-intl/server";
import { myAppointment } from "@/lib/appointments/dal";
import { appointmentIcs } from "@/lib/calendar/ics";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

// One appointment as an .ics file. The UID is the appointment's id, so after a rebook the
// calendar app replaces the event instead of adding a second one.
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { appointment: a } = await myAppointment(id, `/besok/${id}`);
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
}
