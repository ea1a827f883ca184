// POST /api/rebook: the rebook picker's confirm ("Flytta hit"). The same rule and transaction as
// before (lib/appointments/rebook-appointment.ts), answered as JSON by our own server: when many
// patients race for one freed slot, each answer costs a few milliseconds instead of a server
// action's page render (bench/README.md, part (d)).
import { z } from "zod";
import { rebookAppointment } from "@/lib/appointments/rebook-appointment";
import { patientWriteRoute, type WriteAnswer } from "./patient-data-route";

const input = z.object({
  appointmentId: z.uuid(),
  slotId: z.uuid(),
  // The visit's version as the patient's page showed it: a change made meanwhile (another tab)
  // is never overwritten (`stale`); the page then shows what happened.
  version: z.number().int().min(0).max(1_000_000).optional(),
});

/** Changed meanwhile (the visit or the slot): 409; not theirs: 404; the rules say no: 422. */
const CONFLICTS = new Set(["stale", "not_booked", "slot_unavailable", "taken"]);

export const rebookRoute = patientWriteRoute(input, async (body, { session, meta, db }): Promise<WriteAnswer> => {
  const result = await rebookAppointment(db, session.patientId, {
    appointmentId: body.appointmentId,
    slotId: body.slotId,
    expectedVersion: body.version,
    now: new Date(),
    audit: { ip: meta.ip, userAgent: meta.userAgent },
  });
  if (result.ok) {
    return {
      status: 200,
      body: {
        status: "ok",
        appointmentId: body.appointmentId,
        clinicChanged: result.appointment.clinicChanged === true,
      },
    };
  }
  const status = result.error === "not_found" ? 404 : CONFLICTS.has(result.error) ? 409 : 422;
  return { status, body: { status: "error", error: result.error } };
});
