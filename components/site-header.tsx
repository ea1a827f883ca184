import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { LanguageSwitch } from "./language-switch";

export async function SiteHeader({ children }: { children?: React.ReactNode }) {
  const t = await getTranslations("app");
  return (
    <header className="site-header">
      <div className="site-header__inner">
        <Link href="/" className="brand">
          {/* eslint-disable-next-line @next/next/no-img-element -- a tiny static icon, no optimisation needed */}
          <img src="/icons/icon-64.png" alt="" width={32} height={32} />
          <span>{t("name")}</span>
        </Link>
        <div className="header-actions">
          {children}
          <LanguageSwitch />
        </div>
      </div>
    </header>
  );
}
