import { TZDate } from "@date-fns/tz";
import { addDays, startOfWeek } from "date-fns";
import { z } from "zod";
import { db } from "@/db";
import { currentSession } from "@/lib/auth/current-patient";
import { findFreeSlots } from "@/lib/appointments/service";

export const dynamic = "force-dynamic";

const query = z.object({
  week: z.coerce.number().int().min(0).max(26).default(0),
  part: z.enum(["all", "morning", "afternoon"]).default("all"),
});

// Free slots for one week (Monday–Sunday, Stockholm time), `week` weeks from the current one.
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const session = await currentSession();
  if (!session) return Response.json({ error: "unauthorized" }, { status: 401 });
  const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return Response.json({ error: "invalid" }, { status: 400 });
  const now = new Date();
  const monday = startOfWeek(new TZDate(now, "Europe/Stockholm"), { weekStartsOn: 1 });
  const from = addDays(monday, parsed.data.week * 7);
  const to = addDays(from, 7);
  const { id } = await params;
  const result = await findFreeSlots(db(), session.patientId, {
    appointmentId: id,
    from: new Date(from.getTime()),
    to: new Date(to.getTime()),
    partOfDay: parsed.data.part,
    now,
  });
  if (!result.ok) return Response.json({ error: result.error }, { status: result.error === "not_found" ? 404 : 409 });
  return Response.json(
    {
      from: new Date(from.getTime()).toISOString(),
      slots: result.slots.map((s) => ({
        id: s.id,
        startsAt: s.startsAt.toISOString(),
        clinicName: s.clinicName,
        sameClinic: s.sameClinic,
      })),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}
