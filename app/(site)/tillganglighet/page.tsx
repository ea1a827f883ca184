// The accessibility statement (tillgänglighetsredogörelse) that lag (2018:1937) om tillgänglighet
// till digital offentlig service requires, after DIGG's model: compliance, known shortcomings, how
// to report a problem, the enforcement procedure, how the site was tested and when. Public.
import { getLocale, getTranslations } from "next-intl/server";
import { isLocale } from "@/i18n/locales";
import { formatDate } from "@/lib/format";

/** When the site was last assessed and this statement updated: change it with the statement. */
const REVIEWED = new Date("2026-12-01T12:00:00Z");
/** DIGG's form for reporting inadequate accessibility of a public body's digital service. */
const DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan";

export async function generateMetadata() {
  const t = await getTranslations("accessibility");
  return { title: t("title") };
}

/** The region's feedback address (ACCESSIBILITY_CONTACT, mailto: or https:), if it has set one. */
function feedbackContact(): { href: string; text: string } | null {
  const raw = process.env.ACCESSIBILITY_CONTACT?.trim();
  if (!raw || !/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/.test(raw)) return null;
  return { href: raw, text: raw.replace(/^mailto:/, "") };
}

export default async function AccessibilityStatementPage() {
  const t = await getTranslations("accessibility");
  const locale = await getLocale();
  const contact = feedbackContact();
  const problems = ["clinicTexts", "qr", "review"] as const;
  return (
    <article className="hero narrow" aria-labelledby="a11y-title">
      <h1 id="a11y-title">{t("title")}</h1>
      <p>{t("intro")}</p>

      <h2>{t("statusTitle")}</h2>
      <p>{t("status")}</p>

      <h2>{t("helpTitle")}</h2>
      <p>{t("help")}</p>

      <h2>{t("reportTitle")}</h2>
      <p>{t("report")}</p>
      {contact ? (
        <p>
          {t("reportContact")} <a href={contact.href}>{contact.text}</a>
        </p>
      ) : null}

      <h2>{t("enforcementTitle")}</h2>
      <p>{t("enforcement")}</p>
      <p>
        <a href={DIGG_REPORT_URL} hrefLang="sv" rel="noopener noreferrer">
          {t("enforcementLink")}
        </a>
      </p>

      <h2>{t("technicalTitle")}</h2>
      <p>{t("technical")}</p>

      <h3>{t("problemsTitle")}</h3>
      <ul>
        {problems.map((k) => (
          <li key={k}>{t(`problems.${k}`)}</li>
        ))}
      </ul>

      <h2>{t("testedTitle")}</h2>
      <p>{t("tested")}</p>
      <p>{t("updated", { date: formatDate(REVIEWED, isLocale(locale) ? locale : "sv") })}</p>
    </article>
  );
}
