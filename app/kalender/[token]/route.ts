import { getTranslations } from "next-intl/server";
import { db } from "@/db";
import { calendarFeedFor } from "@/lib/calendar/feed";

export const dynamic = "force-dynamic";

// Polled by the patient's calendar app (webcal://). The token is the only credential.
export async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const t = await getTranslations("calendarFeed");
  const body = await calendarFeedFor(db(), token, new Date(), t("eventTitle"));
  if (!body) return new Response("Not found", { status: 404, headers: { "Cache-Control": "no-store" } });
  return new Response(body, {
    headers: { "Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "private, no-store" },
  });
}
