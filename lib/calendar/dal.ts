import "server-only";
// Calendar reads for pages and the public feed route; the only calendar code that opens the database.
import { db } from "@/db";
import { requirePatient } from "@/lib/auth/current-patient";
import { calendarFeedFor, hasCalendarFeed } from "./feed";

/** Whether the logged-in patient has a calendar subscription. */
export async function myCalendarFeedIsOn(): Promise<boolean> {
  const session = await requirePatient("/installningar/kalender");
  return hasCalendarFeed(db(), session.patientId);
}

/** The feed behind a private subscription token, or null (unknown or revoked token). */
export async function calendarFeedBody(token: string, eventTitle: string): Promise<string | null> {
  return calendarFeedFor(db(), token, new Date(), eventTitle);
}
