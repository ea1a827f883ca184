import { getTranslations } from "next-intl/server";
import { setLanguage } from "@/lib/i18n/set-language";

// A plain form: switching language works without JavaScript.
export async function LanguageSwitch() {
  const t = await getTranslations("language");
  const target = t("switchToLang");
  return (
    <form action={setLanguage} className="lang-switch">
      <input type="hidden" name="lang" value={target} />
      <button type="submit" lang={target}>
        {t("switchTo")}
      </button>
    </form>
  );
}
