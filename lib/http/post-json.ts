// A page's write to one of our JSON write routes (server/data-routes, patientWriteRoute). Browser
// code: no server imports. Every outcome is an answer the page can show; nothing throws.

export type WriteResult =
  { status: "ok"; body: Record<string, unknown> } | { status: "error"; error: string; sessionEnded?: boolean };

export async function postJson(url: string, input: unknown): Promise<WriteResult> {
  let res: Response;
  try {
    res = await fetch(url, {
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
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (res.status === 401) return { status: "error", error: "unauthorized", sessionEnded: body?.ended === true };
  if (res.ok && body?.status === "ok") return { status: "ok", body };
  return { status: "error", error: typeof body?.error === "string" ? body.error : "unexpected" };
}
