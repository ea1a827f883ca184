import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { currentPatientName, currentSession } from "@/lib/auth/current-patient";
import { myActingChoice } from "@/lib/guardians/dal";
import { ActingFor } from "./acting-for";
import { LanguageChooser } from "./language-chooser";

export async function SiteHeader() {
  const t = await getTranslations("app");
  const ta = await getTranslations("appointments");
  const tn = await getTranslations("notifications.nav");
  const tl = await getTranslations("settingsLinks");
  const session = await currentSession();
  const name = session ? await currentPatientName() : null;
  const acting = name ? await myActingChoice(name.split(" ")[0]!) : null;
  return (
    <header className="site-header">
      <div className="site-header__inner">
        <Link href={session ? "/besok" : "/"} className="brand">
          {/* eslint-disable-next-line @next/next/no-img-element -- a tiny static icon, no optimisation needed */}
          <img src="/icons/icon-64.png" alt="" width={32} height={32} />
          <span>{t("name")}</span>
        </Link>
        <div className="header-actions">
          <LanguageChooser />
          {session ? (
            <form action="/api/logout" method="post">
              <button type="submit" className="link-button">
                {ta("logout")}
              </button>
            </form>
          ) : null}
        </div>
      </div>
      {session ? (
        <>
          <nav className="site-nav" aria-label={t("mainNav")}>
            <div className="site-nav__inner">
              <Link href="/besok" prefetch={false}>
                {ta("title")}
              </Link>
              <Link href="/installningar">{tn("settings")}</Link>
              <Link href="/installningar/atkomst">{tl("navAccess")}</Link>
              {name ? <span className="site-nav__who">{t("loggedInAs", { name })}</span> : null}
            </div>
          </nav>
          {acting ? <ActingFor choice={acting} /> : null}
        </>
      ) : null}
    </header>
  );
}
