CREATE TABLE "login_orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"binding_hash" text NOT NULL,
	"provider" text DEFAULT 'bankid' NOT NULL,
	"order_ref" text NOT NULL,
	"qr_start_token" text NOT NULL,
	"qr_start_secret_enc" text NOT NULL,
	"started_by" text NOT NULL,
	"device" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"hint_code" text,
	"patient_id" uuid,
	"ip" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "login_orders_status_ck" CHECK ("login_orders"."status" in ('pending', 'complete', 'failed', 'cancelled', 'consumed')),
	CONSTRAINT "login_orders_started_by_ck" CHECK ("login_orders"."started_by" in ('qr', 'autostart'))
);
--> statement-breakpoint
ALTER TABLE "login_orders" ADD CONSTRAINT "login_orders_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "login_orders_binding_uq" ON "login_orders" USING btree ("binding_hash");