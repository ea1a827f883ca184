import { mySessions } from "@/lib/auth/dal";
import { getLocale, getTranslations } from "next-intl/server";
import { formatShort, type Locale } from "@/lib/format";
import { EndOtherSessionsForm } from "@/components/end-other-sessions-form";

export async function generateMetadata() {
  const t = await getTranslations("sessions");
  return { title: t("title") };
}

function deviceName(userAgent: string | null, fallback: string): string {
  if (!userAgent) return fallback;
  const os = /iPhone|iPad/.test(userAgent)
    ? "iOS"
    : /Android/.test(userAgent)
      ? "Android"
      : /Windows/.test(userAgent)
        ? "Windows"
        : /Mac OS X/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrome\/|Chromium\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : null;
  return [browser, os].filter(Boolean).join(" · ") || fallback;
}

export default async function SessionsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const query = await searchParams;
  const t = await getTranslations("sessions");
  const locale = (await getLocale()) as Locale;
  const list = await mySessions();
  const ended = query.avslutade !== undefined ? Number(query.avslutade) : null;
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">{t("title")}</h1>
      <p>{t("intro")}</p>
      {ended !== null && Number.isFinite(ended) ? (
        <p className="notice notice--success" role="status">
          {t("ended", { count: ended })}
        </p>
      ) : null}
      <ul className="cards">
        {list.map((s) => (
          <li key={s.handle} className="card">
            <h2>
              {deviceName(s.userAgent, t("unknownDevice"))}
              {s.current ? <span className="badge"> {t("current")}</span> : null}
            </h2>
            <p className="muted">
              {t("started", { date: formatShort(s.createdAt, locale) })} ·{" "}
              {t("lastSeen", { date: formatShort(s.lastSeenAt, locale) })}
            </p>
          </li>
        ))}
      </ul>
      {list.some((s) => !s.current) ? (
        <EndOtherSessionsForm label={t("endOthers")} failedText={t("endOthersFailed")} />
      ) : null}
    </section>
  );
}
