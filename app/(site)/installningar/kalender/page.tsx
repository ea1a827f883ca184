import { getTranslations } from "next-intl/server";
import { actingForChild } from "@/lib/guardians/dal";
import { CalendarFeedForm } from "@/components/calendar-feed-form";
import { myCalendarFeedIsOn } from "@/lib/calendar/dal";
import { env } from "@/lib/env";

export async function generateMetadata() {
  const t = await getTranslations("calendarFeed");
  return { title: t("title") };
}

export default async function CalendarFeedPage() {
  const t = await getTranslations("calendarFeed");
  const ts = await getTranslations("states");
  const on = await myCalendarFeedIsOn();
  const tg = await getTranslations("guardian");
  const forChild = await actingForChild();
  return (
    <section aria-labelledby="feed-title" className="narrow">
      <h1 id="feed-title">{t("title")}</h1>
      <p>{t("intro")}</p>
      {forChild ? <p className="notice">{tg("calendarNotAllowed")}</p> : null}
      <CalendarFeedForm
        initiallyOn={on}
        host={new URL(env().PUBLIC_BASE_URL).host}
        text={{
          off: t("off"),
          on: t("on"),
          create: t("create"),
          renew: t("renew"),
          revoke: t("revoke"),
          linkLabel: t("linkLabel"),
          open: t("open"),
          warning: t("warning"),
          error: forChild ? tg("calendarNotAllowed") : ts("errorText"),
        }}
      />
    </section>
  );
}
