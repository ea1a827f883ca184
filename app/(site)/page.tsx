import Link from "next/link";
import { ForgetOfflineCopy } from "@/components/offline-copy";
import { getTranslations } from "next-intl/server";
import { currentPatientName } from "@/lib/auth/current-patient";

export default async function HomePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const t = await getTranslations("home");
  // A logged-in patient is not asked to log in again: the start page says who they are and where to go.
  const name = await currentPatientName();
  const features = ["see", "cancel", "earlier", "remind"] as const;
  return (
    <>
      <section className="hero" aria-labelledby="home-title">
        <h1 id="home-title">{t("title")}</h1>
        {params.utloggad && !name ? (
          <p className="notice notice--success" role="status">
            {t("loggedOut")}
          </p>
        ) : null}
        {params.utloggad && !name ? <ForgetOfflineCopy /> : null}
        <p className="lead">{t("lead")}</p>
        {name ? (
          <>
            <p>{t("loggedInAs", { name })}</p>
            <Link href="/besok" prefetch={false} className="button">
              {t("goToAppointments")}
            </Link>
          </>
        ) : (
          <Link href="/login" className="button">
            {t("login")}
          </Link>
        )}
      </section>
      <section aria-labelledby="features-title">
        <h2 id="features-title">{t("featuresTitle")}</h2>
        <ul className="cards cards--2">
          {features.map((f) => (
            <li key={f} className="card">
              <p>{t(`features.${f}`)}</p>
            </li>
          ))}
        </ul>
      </section>
      <section className="cards cards--2" aria-label={t("trustTitle")}>
        <div className="card">
          <h2>{t("trustTitle")}</h2>
          <p>{t("trust")}</p>
        </div>
        <div className="card">
          <h2>{t("whyTitle")}</h2>
          <p>{t("why")}</p>
        </div>
      </section>
    </>
  );
}
