import { getTranslations } from "next-intl/server";
import { calendarFeedBody } from "@/lib/calendar/dal";

export const dynamic = "force-dynamic";

// Polled by the patient's calendar app (webcal://). The token is the only credential.
export async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const t = await getTranslations("calendarFeed");
  const body = await calendarFeedBody(token, t("eventTitle"));
  if (!body) return new Response("Not found", { status: 404, headers: { "Cache-Control": "no-store" } });
  return new Response(body, {
    headers: { "Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "private, no-store" },
  });
}
