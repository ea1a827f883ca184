import { z } from "zod";
import { patientRoute } from "@/lib/auth/patient-route";
import { chooseActingFor } from "@/lib/guardians/choose-acting-for";
import { forgetWhoIsLoggedIn } from "@/lib/guardians/who-is-logged-in";

export const dynamic = "force-dynamic";

const seeOther = (location: string) =>
  new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });

// The act-for chooser of the prerendered shell (components/who-bar.tsx): a plain form POST, then
// back to the visits as a new page load, so everything on it is the chosen person's.
export const POST = patientRoute(
  z.object({ who: z.union([z.literal("self"), z.uuid()]) }),
  async (input, { session, meta, db }) => {
    const result = await chooseActingFor(db, session, input.who, meta);
    forgetWhoIsLoggedIn(session.selfPatientId);
    return seeOther(result.status === "ok" ? "/besok" : "/besok?vald=nej");
  },
  { onUnauthorized: () => seeOther("/login?returnTo=%2Fbesok") },
);
