// The query options of the patient's data, used by every view that shows it (TanStack Query), so
// a list is fetched, keyed and retried the same way everywhere. Browser code: no server imports.
import { queryOptions } from "@tanstack/react-query";
import type { AppointmentList } from "./list-item";

/** A failed data request; `status` 401 means the session has ended (the view sends the patient to log in). */
export class DataRequestError extends Error {
  constructor(
    readonly status: number,
    /** 401 only: the browser held a session that has ended (logged out elsewhere, idle, …). */
    readonly sessionEnded = false,
  ) {
    super(`data request failed: ${status}`);
    this.name = "DataRequestError";
  }
}

async function getJson<T>(url: string): Promise<T> {
  // Never from the HTTP cache: the answer is the patient's and changes with every booking.
  const res = await fetch(url, {
    cache: "no-store",
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (res.status === 401) {
    const body = (await res.json().catch(() => null)) as { ended?: boolean } | null;
    throw new DataRequestError(401, body?.ended === true);
  }
  if (!res.ok) throw new DataRequestError(res.status);
  return (await res.json()) as T;
}

export const appointmentListQuery = queryOptions({
  queryKey: ["appointments", "list"],
  queryFn: () => getJson<AppointmentList>("/api/appointments"),
  // Always asked again when a view mounts: a visit changed in another tab must not show as it was.
  staleTime: 0,
  // No retry after 401 (logged out) or 4xx; one after a network error or a 5xx.
  retry: (count, error) => count < 1 && !(error instanceof DataRequestError && error.status < 500),
});
