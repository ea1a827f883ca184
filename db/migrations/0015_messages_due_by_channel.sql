-- The due index gets the channel first: the SMS and the push worker each claim their own channel,
-- and with (status, due_at) the push worker's claim walked every queued SMS row of a burst.
-- Backwards compatible: the running version's queries read the same rows, through either index.
-- Built in the migration's transaction (not CONCURRENTLY): writes to `messages` wait while it is
-- built, seconds for a million rows; run the release outside the morning's reminder burst.
DROP INDEX "messages_due_idx";--> statement-breakpoint
CREATE INDEX "messages_due_idx" ON "messages" USING btree ("channel","status","due_at");
