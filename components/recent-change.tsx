import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { AppointmentView } from "@/lib/appointments/service";
import { formatVisit, type Locale } from "@/lib/format";

const RECENT_MS = 30 * 60_000;

// On a visit's cancel, rebook and earlier-time pages: if the visit was just moved (in this tab
// before "back", or in another tab), say so and where it is now, so an old page is never taken
// for the current state.
export async function RecentChange({
  appointment: a,
  locale,
  now,
}: {
  appointment: AppointmentView;
  locale: Locale;
  now: Date;
}) {
  if (a.status !== "booked" || !a.rebookedAt || now.getTime() - a.rebookedAt.getTime() > RECENT_MS) return null;
  const t = await getTranslations("appointments");
  return (
    <div className="notice notice--success" role="status">
      <p>{t("recentlyMoved", { date: formatVisit(a.startsAt, locale, a.clinic.timeZone, now) })}</p>
      <Link href={`/besok/${a.id}`}>{t("details")}</Link>
    </div>
  );
}
