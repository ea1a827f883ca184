// `npm run vapid`: prints a fresh VAPID key pair for .env (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY).
import webpush from "web-push";

const keys = webpush.generateVAPIDKeys();
console.log(
  `VAPID_PUBLIC_KEY=${keys.publicKey}\nVAPID_PRIVATE_KEY=${keys.privateKey}\nVAPID_SUBJECT=mailto:drift@example.se`,
);
