"use client";

// After a client-side navigation the browser leaves focus on <body> (or on the link that is gone),
// so a screen reader says nothing about the new page. Move focus to the new page's heading, as
// after a full page load a screen reader starts at the top. Not on the first load: there the
// browser's own order (skip link first) is what keyboard users expect.
import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";

export function FocusHeading() {
  const pathname = usePathname();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>("main h1");
    if (!heading) return;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus();
  }, [pathname]);
  return null;
}
