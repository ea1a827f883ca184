"use client";

// After a client-side navigation the browser leaves focus on <body> (or on the link that is gone),
// so a screen reader says nothing about the new page. Move focus to the new page's heading, as
// after a full page load a screen reader starts at the top. Not on the first load: there the
// browser's own order (skip link first) is what keyboard users expect.
//
// The heading may arrive after the path changes (a loading.tsx shows first, then the page replaces
// it), so the new <main> is watched for a few seconds and its h1 focused when it appears, unless
// the patient has meanwhile moved focus somewhere else themselves.
//
// A link between a prerendered shell (app/(shell), e.g. /besok) and the other pages is a full page
// load (two root layouts), yet to the patient it is the same app's navigation: such a click leaves
// a mark in sessionStorage, and the page it lands on focuses its heading as after any navigation.
import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";

const WATCH_MS = 5_000;
const SHELL_PATHS = new Set(["/besok"]);
const MARK = "vardtid.focusHeading";

function markShellCrossings(event: MouseEvent) {
  const link = (event.target as Element | null)?.closest?.("a[href]");
  if (!(link instanceof HTMLAnchorElement) || link.target || event.defaultPrevented) return;
  const to = new URL(link.href, window.location.href);
  if (to.origin !== window.location.origin) return;
  if (SHELL_PATHS.has(to.pathname) === SHELL_PATHS.has(window.location.pathname)) return;
  try {
    window.sessionStorage.setItem(MARK, "1");
  } catch {
    /* storage blocked: the browser's own order then */
  }
}

function takeMark(): boolean {
  try {
    const marked = window.sessionStorage.getItem(MARK) === "1";
    window.sessionStorage.removeItem(MARK);
    return marked;
  } catch {
    return false;
  }
}

export function FocusHeading() {
  const pathname = usePathname();
  const first = useRef(true);
  useEffect(() => {
    document.addEventListener("click", markShellCrossings, true);
    return () => document.removeEventListener("click", markShellCrossings, true);
  }, []);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      if (!takeMark()) return;
    }
    const main = document.querySelector("main");
    if (!main) return;
    const focusedAtNavigation = document.activeElement;
    const stop = () => {
      observer.disconnect();
      window.clearTimeout(timer);
    };
    const tryFocus = () => {
      const heading = main.querySelector<HTMLElement>("h1");
      if (!heading || document.activeElement === heading) return;
      const active = document.activeElement;
      const untouched =
        !active ||
        active === document.body ||
        active === main ||
        active === focusedAtNavigation ||
        active.tagName === "H1";
      if (!untouched) return stop();
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus();
    };
    const observer = new MutationObserver(tryFocus);
    observer.observe(main, { childList: true, subtree: true });
    const timer = window.setTimeout(stop, WATCH_MS);
    tryFocus();
    return stop;
  }, [pathname]);
  return null;
}
