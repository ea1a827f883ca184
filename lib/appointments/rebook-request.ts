// The rebook picker's confirm as a request to POST /api/rebook (server/data-routes/rebook.ts).
// Browser code: no server imports. Every outcome is an answer the picker can show; nothing throws.

export type RebookAnswer =
  { status: "ok"; clinicChanged: boolean } | { status: "error"; error: string; sessionEnded?: boolean };

export async function postRebook(input: {
  appointmentId: string;
  slotId: string;
  version: number;
}): Promise<RebookAnswer> {
  let res: Response;
  try {
    res = await fetch("/api/rebook", {
      method: "POST",
      cache: "no-store",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(input),
    });
  } catch {
    // Offline or the connection broke: nothing is known to have changed; the patient may try again.
    return { status: "error", error: "network" };
  }
  const body = (await res.json().catch(() => null)) as {
    status?: string;
    error?: string;
    ended?: boolean;
    clinicChanged?: boolean;
  } | null;
  if (res.status === 401) return { status: "error", error: "unauthorized", sessionEnded: body?.ended === true };
  if (res.ok && body?.status === "ok") return { status: "ok", clinicChanged: body.clinicChanged === true };
  return { status: "error", error: typeof body?.error === "string" ? body.error : "unexpected" };
}
