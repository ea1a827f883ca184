/**
 * Which of BankID's "Recommended Feedback to the user" (RFA) messages to show.
 * The texts live in messages/{sv,en}/bankid.json under "rfa"; these functions only pick the key,
 * so the wording can follow BankID's updates without a code change.
 */

export const RFA_KEYS = [
  "RFA1",
  "RFA3",
  "RFA4",
  "RFA5",
  "RFA6",
  "RFA8",
  "RFA9",
  "RFA13",
  "RFA15A",
  "RFA15B",
  "RFA16",
  "RFA17A",
  "RFA17B",
  "RFA21",
  "RFA22",
  "RFA23",
] as const;

export type RfaKey = (typeof RFA_KEYS)[number];

/** Not a BankID code: the login worked, but the patient is below the age for using it themselves. */
export const AGE_LIMIT = "AGE_LIMIT";

/** How the order reached the BankID app: a scanned QR code or an autostart link on this device. */
export type StartedBy = "qr" | "autostart";

/** The device the user is looking at our page on. */
export type UserDevice = "mobile" | "desktop";

export type CollectStatus = "pending" | "failed";

/**
 * The message for a pending or failed collect answer. Unknown hint codes are expected (BankID
 * adds them over time) and get the generic message for their status.
 */
export function rfaForHint(status: CollectStatus, hintCode: string, startedBy: StartedBy, device: UserDevice): RfaKey {
  if (status === "pending") {
    switch (hintCode) {
      case "outstandingTransaction":
        return startedBy === "autostart" ? "RFA13" : "RFA1";
      case "noClient":
        return "RFA1";
      case "started":
        return device === "mobile" ? "RFA15B" : "RFA15A";
      case "userMrtd":
        return "RFA23";
      case "userCallConfirm":
        return "RFA21";
      case "userSign":
        return "RFA9";
      default:
        return "RFA21";
    }
  }
  switch (hintCode) {
    case "expiredTransaction":
      return "RFA8";
    case "certificateErr":
      return "RFA16";
    case "userCancel":
      return "RFA6";
    case "cancelled":
      return "RFA3";
    case "startFailed":
      return startedBy === "autostart" ? "RFA17A" : "RFA17B";
    default:
      return "RFA22";
  }
}

/**
 * The message for an error answer (the BankID errorCode) or for a call that got no answer
 * ('timeout', 'network'). Codes that mean a bug on our side get the generic "unknown error":
 * the user can do nothing about them.
 */
export function rfaForError(errorCode: string): RfaKey {
  switch (errorCode) {
    case "alreadyInProgress":
      return "RFA4";
    case "requestTimeout":
    case "internalError":
    case "maintenance":
    case "tooManyRequests":
    case "timeout":
    case "network":
      return "RFA5";
    case "invalidParameters":
    case "unauthorized":
    case "notFound":
    case "methodNotAllowed":
    case "unsupportedMediaType":
    default:
      return "RFA22";
  }
}
