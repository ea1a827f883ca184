import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { formatShort, type Locale } from "@/lib/format";
import { accessActionKey } from "@/lib/privacy/access-labels";
import { myAccessLog } from "@/lib/privacy/dal";

export async function generateMetadata() {
  const t = await getTranslations("access");
  return { title: t("title") };
}

const PAGE_SIZE = 50;

export default async function AccessLogPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const query = await searchParams;
  const fore = Number(query.fore);
  const before = Number.isSafeInteger(fore) && fore > 0 ? fore : undefined;
  const { entries, olderBefore } = await myAccessLog({ before, limit: PAGE_SIZE });
  // Events from another year carry their year (lib/format.ts).
  const now = new Date();
  const t = await getTranslations("access");
  const locale = (await getLocale()) as Locale;
  // Every code the app records has words (a unit test scans the code); the fallback never shows a code.
  const label = (action: string, resourceType: string | null) => {
    const key = `actions.${accessActionKey(action)}`;
    // FHIR calls by a booking system read per resource: "Läste din bokning".
    const typed = resourceType ? `${key}_${resourceType}` : key;
    if (t.has(typed)) return t(typed);
    return t.has(key) ? t(key) : t("otherAction");
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
        <p className="card">{before ? t("emptyOlder") : t("empty")}</p>
      ) : (
        // Kept a real table (screen readers announce row and column); on a phone its cells wrap (.log).
        <table className="log">
          <caption className="visually-hidden">{t("title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("when")}</th>
              <th scope="col">{t("who")}</th>
              <th scope="col">{t("what")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq}>
                <td>
                  <time dateTime={e.at.toISOString()}>{formatShort(e.at, locale, undefined, now)}</time>
                </td>
                <td>
                  {e.actor === "api_client" || e.actor === "guardian"
                    ? t(`actor.${e.actor}`, { name: e.actorName ?? "" })
                    : t(`actor.${e.actor}`)}
                </td>
                <td>{label(e.action, e.resourceType)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="log-paging">
        {olderBefore !== null ? <Link href={`/installningar/atkomst?fore=${olderBefore}`}>{t("more")}</Link> : null}
        {before ? <Link href="/installningar/atkomst">{t("newest")}</Link> : null}
      </p>
    </section>
  );
}
