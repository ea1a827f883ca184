// The rebook picker's confirm as a request to POST /api/rebook (server/data-routes/rebook.ts).
// Browser code: no server imports.
import { postJson } from "@/lib/http/post-json";

export type RebookAnswer =
  { status: "ok"; clinicChanged: boolean } | { status: "error"; error: string; sessionEnded?: boolean };

export async function postRebook(input: {
  appointmentId: string;
  slotId: string;
  version: number;
}): Promise<RebookAnswer> {
  const result = await postJson("/api/rebook", input);
  return result.status === "ok" ? { status: "ok", clinicChanged: result.body.clinicChanged === true } : result;
}
