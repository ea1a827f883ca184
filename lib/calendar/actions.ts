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
  return { status: "ok" as const, token: await createCalendarFeed(db(), session.patientId, { ip, userAgent }) };
});
