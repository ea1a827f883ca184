"use server";

import { z } from "zod";
import { db } from "@/db";
import { createCalendarFeed, revokeCalendarFeed } from "@/lib/calendar/feed";
import { patientAction } from "@/lib/auth/patient-action";

const input = z.object({ intent: z.enum(["create", "revoke"]) });

export const calendarFeedAction = patientAction(input, async ({ intent }, { session, ip, userAgent }) => {
  if (intent === "revoke") {
    await revokeCalendarFeed(db(), session.patientId, { ip, userAgent });
    return { status: "ok" as const, token: null };
  }
  // A feed link outlives the session and is not re-checked against custody, so a guardian acting
  // for a child cannot make one for the child (they may still turn off one the child has).
  if (session.actingFor) return { status: "error" as const, error: "invalid" as const };
  return { status: "ok" as const, token: await createCalendarFeed(db(), session.patientId, { ip, userAgent }) };
});
