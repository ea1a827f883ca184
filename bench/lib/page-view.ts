// What one logged-in view of "Mina tider" requests, in order, and what each answer must contain to
// count as the logged-in page. The burst and growth phases measure "the page" through this list
// alone, so when the page changes shape (e.g. a static shell plus a JSON route for the data), this
// is the one place to say so.
import type { LoadStep } from "../load";

export interface PageStep {
  path: string;
  /** A string only the logged-in answer contains. */
  marker: string;
  status?: number;
}

// A first visit (nothing cached): the prerendered shell, then the patient's data. A returning
// patient's view is the data request alone (the service worker has the shell); the burst and growth
// phases count the larger of the two.
export const PAGE_VIEW: readonly PageStep[] = [
  { path: "/besok", marker: "<h1>Mina tider</h1>" },
  { path: "/api/appointments", marker: '{"upcoming":[' },
];

/** The view's requests against a server at `base` (e.g. http://127.0.0.1:3601), for bench/load.ts. */
export function pageViewSteps(base: string): LoadStep[] {
  return PAGE_VIEW.map((s) => ({ url: `${base}${s.path}`, marker: s.marker, status: s.status }));
}
