"use client";

import { useEffect, useState, useSyncExternalStore } from "react";

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
}

export interface InstallHintText {
  install: string;
  installText: string;
  iosTitle: string;
  iosText: string;
  dismiss: string;
}

const subscribeNothing = () => () => {};
// iOS Safari has no install prompt: it gets written instructions instead.
const isIosSafari = () =>
  /iPhone|iPad|iPod/.test(navigator.userAgent) &&
  !("standalone" in navigator && (navigator as { standalone?: boolean }).standalone);

export function InstallHint({ text }: { text: InstallHintText }) {
  const [promptEvent, setPromptEvent] = useState<BeforeInstallPromptEvent | null>(null);
  const [dismissed, setDismissed] = useState(false);
  const ios = useSyncExternalStore(subscribeNothing, isIosSafari, () => false);

  useEffect(() => {
    const onPrompt = (event: Event) => {
      event.preventDefault();
      setPromptEvent(event as BeforeInstallPromptEvent);
    };
    window.addEventListener("beforeinstallprompt", onPrompt);
    return () => window.removeEventListener("beforeinstallprompt", onPrompt);
  }, []);

  if (dismissed || (!promptEvent && !ios)) return null;
  return (
    <aside className="card install-hint" aria-label={promptEvent ? text.install : text.iosTitle}>
      {promptEvent ? (
        <>
          <p>{text.installText}</p>
          <div className="actions">
            <button
              type="button"
              className="button"
              onClick={() => promptEvent.prompt().finally(() => setPromptEvent(null))}
            >
              {text.install}
            </button>
            <button type="button" className="button button--secondary" onClick={() => setDismissed(true)}>
              {text.dismiss}
            </button>
          </div>
        </>
      ) : (
        <>
          <h2>{text.iosTitle}</h2>
          <p>{text.iosText}</p>
          <button type="button" className="button button--secondary" onClick={() => setDismissed(true)}>
            {text.dismiss}
          </button>
        </>
      )}
    </aside>
  );
}
