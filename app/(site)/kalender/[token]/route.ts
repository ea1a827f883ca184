import { messagesFor } from "@/i18n/messages";
import { calendarFeedBody } from "@/lib/calendar/dal";

export const dynamic = "force-dynamic";

// Polled by the patient's calendar app (webcal://). The token is the only credential. The app
// sends no cookie, so the event title is in the patient's chosen text language (see feed.ts).
export async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const body = await calendarFeedBody(token, (lang) => messagesFor(lang).calendarFeed.eventTitle);
  if (!body) return new Response("Not found", { status: 404, headers: { "Cache-Control": "no-store" } });
  return new Response(body, {
    headers: { "Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "private, no-store" },
  });
}
