import { TZDate } from "@date-fns/tz";
import { addDays, startOfWeek } from "date-fns";
import { z } from "zod";
import { findFreeSlots } from "@/lib/appointments/find-free-slots";
import { patientRoute } from "@/lib/auth/patient-route";

export const dynamic = "force-dynamic";

const input = z.object({
  id: z.string().max(100),
  week: z.coerce.number().int().min(0).max(26).default(0),
  part: z.enum(["all", "morning", "afternoon"]).default("all"),
});

// Free slots for one week (Monday–Sunday, Stockholm time), `week` weeks from the current one.
export const GET = patientRoute(input, async ({ id, week, part }, { session, db, meta }) => {
  const now = new Date();
  const monday = startOfWeek(new TZDate(now, "Europe/Stockholm"), { weekStartsOn: 1 });
  const from = addDays(monday, week * 7);
  const to = addDays(from, 7);
  const result = await findFreeSlots(db, session.patientId, {
    appointmentId: id,
    from: new Date(from.getTime()),
    to: new Date(to.getTime()),
    partOfDay: part,
    now,
    audit: { ip: meta.ip, userAgent: meta.userAgent },
  });
  if (!result.ok) return Response.json({ error: result.error }, { status: result.error === "not_found" ? 404 : 409 });
  return Response.json(
    {
      from: new Date(from.getTime()).toISOString(),
      slots: result.slots.map((s) => ({
        id: s.id,
        startsAt: s.startsAt.toISOString(),
        clinicId: s.clinicId,
        clinicName: s.clinicName,
        clinicAddress: s.clinicAddress,
        sameClinic: s.sameClinic,
      })),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
});
