// What "Mina tider" shows of one visit, as GET /api/appointments sends it: already formatted on
// the server (dates in the clinic's zone, "idag"/"imorgon", the patient's language), so the page
// ships no date library and every view of the list says the same. Plain types: the browser imports
// this file too.
export type AppointmentStatus = "booked" | "cancelled" | "completed" | "no_show";

export interface AppointmentListItem {
  id: string;
  status: AppointmentStatus;
  /** ISO 8601, for `<time dateTime>`. */
  startsAt: string;
  /** "Tisdag 3 december 2026 kl. 09:30", capitalised as the card shows it. */
  when: string;
  /** The same, not capitalised, for the link's accessible name. */
  whenInline: string;
  typeName: string;
  clinicName: string;
  practitionerRole: string | null;
  address: string;
  /** Shown for booked visits only. */
  preparation: string | null;
  /** The language of the clinic's own texts when it differs from the page's (see AppointmentView). */
  textLang: "sv" | "en" | null;
  /** "3 dec. 09:12" when the visit was cancelled. */
  cancelledLabel: string | null;
}

/** Who is logged in, and whom a guardian acts for (the shell's header shows it). */
export interface WhoIsLoggedIn {
  name: string | null;
  acting: {
    selfGivenName: string;
    children: { patientId: string; givenName: string; age: number }[];
    /** The chosen child's id, or null for themselves. */
    current: string | null;
    notice: "custody_ended" | null;
  } | null;
}

export interface AppointmentList {
  upcoming: AppointmentListItem[];
  past: AppointmentListItem[];
  who: WhoIsLoggedIn;
}
