CREATE TABLE "audit_chain" (
	"position" bigint PRIMARY KEY NOT NULL,
	"audit_seq" bigint NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"sealed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_hash_version_ck";--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "prev_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "hash" DROP NOT NULL;--> statement-breakpoint
-- Existing (version 1/2) rows keep a null xid: the column gets its default only after it exists.
ALTER TABLE "audit_events" ADD COLUMN "xid" "xid8";--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "xid" SET DEFAULT pg_current_xact_id();--> statement-breakpoint
CREATE UNIQUE INDEX "audit_chain_audit_seq_uq" ON "audit_chain" USING btree ("audit_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_chain_hash_uq" ON "audit_chain" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "audit_events_xid_idx" ON "audit_events" USING btree ("xid","seq");--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_link_ck" CHECK (("audit_events"."hash_version" in (1, 2) and "audit_events"."prev_hash" is not null and "audit_events"."hash" is not null) or ("audit_events"."hash_version" = 3 and "audit_events"."prev_hash" is null and "audit_events"."hash" is null and "audit_events"."xid" is not null));--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_hash_version_ck" CHECK ("audit_events"."hash_version" in (1, 2, 3));