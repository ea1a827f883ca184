import { cookies } from "next/headers";
import { z } from "zod";
import { endSession } from "@/lib/auth/end-session";
import { sessionCookieName } from "@/lib/auth/cookies";
import { patientRoute } from "@/lib/auth/patient-route";

export const dynamic = "force-dynamic";

// Logout revokes the session on the server (a replayed cookie gets nothing), removes the cookie,
// and asks the browser to drop its cached pages of this origin (Clear-Site-Data "cache"). Not
// "storage": that would also unregister the service worker, and a patient who then lost the
// network saw the browser's own "no internet" page instead of ours. What this app stores on the
// device is deleted by name instead, twice over: by the service worker as this response passes
// (sw/sw.ts) and by the page logout lands on (components/offline-copy.tsx, ForgetOfflineCopy).
async function clearAndLeave(): Promise<Response> {
  const jar = await cookies();
  jar.delete(sessionCookieName());
  jar.delete("next-auth.csrf-token");
  jar.delete("next-auth.callback-url");
  return new Response(null, {
    status: 303,
    headers: { Location: "/?utloggad=1", "Clear-Site-Data": '"cache"', "Cache-Control": "no-store" },
  });
}

export const POST = patientRoute(
  z.object({}).loose(),
  async (_input, { session, meta, db }) => {
    await endSession(db, session, meta, new Date());
    return clearAndLeave();
  },
  // Without a session (it expired or ended elsewhere) logging out still clears this browser.
  { onUnauthorized: clearAndLeave },
);
