import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { formatShort, type Locale } from "@/lib/format";
import { myAccessLog } from "@/lib/privacy/dal";

export async function generateMetadata() {
  const t = await getTranslations("access");
  return { title: t("title") };
}

export default async function AccessLogPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const query = await searchParams;
  const before = Number(query.fore);
  const entries = await myAccessLog({
    before: Number.isSafeInteger(before) && before > 0 ? before : undefined,
    limit: 50,
  });
  const t = await getTranslations("access");
  const locale = (await getLocale()) as Locale;
  const label = (action: string, resourceType: string | null) => {
    const key = `actions.${action.replace(/\./g, "_")}`;
    // FHIR calls by a booking system read per resource: "Läste din bokning".
    const typed = resourceType ? `${key}_${resourceType}` : key;
    if (t.has(typed)) return t(typed);
    return t.has(key) ? t(key) : t("otherAction", { code: action });
  };
  return (
    <section aria-labelledby="access-title">
      <h1 id="access-title">{t("title")}</h1>
      <p>{t("intro")}</p>
      <div className="card">
        <h2>{t("downloadTitle")}</h2>
        <p>{t("downloadText")}</p>
        <a className="button button--secondary" href="/api/export" download>
          {t("download")}
        </a>
      </div>
      {entries.length === 0 ? (
        <p className="card">{t("empty")}</p>
      ) : (
        <table className="log">
          <caption className="visually-hidden">{t("title")}</caption>
          <thead>
            <tr>
              <th scope="col">{locale === "en" ? "When" : "När"}</th>
              <th scope="col">{locale === "en" ? "Who" : "Vem"}</th>
              <th scope="col">{locale === "en" ? "What" : "Vad"}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq}>
                <td>
                  <time dateTime={e.at.toISOString()}>{formatShort(e.at, locale)}</time>
                </td>
                <td>
                  {e.actor === "api_client"
                    ? t("actor.api_client", { name: e.actorName ?? "" })
                    : t(`actor.${e.actor}`)}
                </td>
                <td>{label(e.action, e.resourceType)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {entries.length === 50 ? (
        <p>
          <Link href={`/installningar/atkomst?fore=${entries.at(-1)!.seq}`}>{t("more")}</Link>
        </p>
      ) : null}
    </section>
  );
}
