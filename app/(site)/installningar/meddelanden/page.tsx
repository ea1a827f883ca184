import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { formatShort, formatVisit, type Locale } from "@/lib/format";
import { myMessages } from "@/lib/notifications/dal";

export const dynamic = "force-dynamic";

export async function generateMetadata() {
  const t = await getTranslations("notifications.messages");
  return { title: t("title") };
}

const STATUS_CLASS: Record<string, string> = {
  delivered: "badge--ok",
  opened: "badge--ok",
  sent: "",
  failed: "badge--cancelled",
  expired: "badge--cancelled",
  dead: "badge--cancelled",
  skipped: "badge--completed",
};

export default async function MessagesPage() {
  const list = await myMessages();
  // Messages from another year carry their year (lib/format.ts).
  const now = new Date();
  const t = await getTranslations("notifications.messages");
  const locale = (await getLocale()) as Locale;
  return (
    <section aria-labelledby="messages-title">
      <p>
        <Link href="/installningar">
          <span className="arrow" aria-hidden="true">
            ←
          </span>{" "}
          {t("back")}
        </Link>
      </p>
      <h1 id="messages-title">{t("title")}</h1>
      <p>{t("intro")}</p>
      {list.length === 0 ? (
        <p className="card">{t("empty")}</p>
      ) : (
        <ul className="cards">
          {list.map((m) => {
            const purpose =
              m.purpose === "reminder" ||
              m.purpose === "phone_verification" ||
              m.purpose === "offer" ||
              m.purpose === "sms_reply"
                ? t(`purpose.${m.purpose}`)
                : m.purpose;
            const status = t(`status.${m.status as "sent"}`);
            return (
              <li key={m.id} className="card message">
                <h2 className="message__title">
                  <span className={`badge ${STATUS_CLASS[m.status] ?? ""}`}>{status}</span> {purpose} ·{" "}
                  {t(`channel.${m.channel}`)}
                </h2>
                {m.skippedBecause === "push_opened" ? <p className="muted">{t("pushOpenedInstead")}</p> : null}
                {m.appointmentStartsAt ? (
                  <p className="appointment__when">{formatVisit(m.appointmentStartsAt, locale, m.timeZone, now)}</p>
                ) : null}
                {m.text ? <p className="message__text">{m.text}</p> : null}
                <p className="muted">
                  {m.sentAt
                    ? t("sentAt", { date: formatShort(m.sentAt, locale, undefined, now) })
                    : t("dueAt", { date: formatShort(m.dueAt, locale, undefined, now) })}
                  {m.parts ? ` · ${t("parts", { count: m.parts })}` : null}
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
