// FHIR instants with the clinic's UTC offset ("2030-03-04T10:00:00+01:00"), so a booking system
// reads the wall-clock time it booked, and the instant is still exact.
import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";

export function fhirInstant(at: Date, timeZone: string): string {
  return format(new TZDate(at.getTime(), timeZone), "yyyy-MM-dd'T'HH:mm:ssXXX");
}

/** meta.lastUpdated is plain UTC with milliseconds: it is what `_lastUpdated` compares with. */
export function fhirLastUpdated(at: Date): string {
  return at.toISOString();
}
