CREATE TYPE "public"."booking_kind" AS ENUM('single', 'program');--> statement-breakpoint
CREATE TYPE "public"."booking_status" AS ENUM('pending', 'confirmed', 'cancelled', 'completed');--> statement-breakpoint
CREATE TYPE "public"."item_kind" AS ENUM('rental', 'merchandise');--> statement-breakpoint
CREATE TYPE "public"."rack_order_status" AS ENUM('pending', 'paid', 'cancelled', 'fulfilled');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('user', 'admin');--> statement-breakpoint
CREATE TABLE "users" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "users_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"name" text NOT NULL,
	"role" "user_role" DEFAULT 'user' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "venues" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "venues_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"capacity" integer NOT NULL,
	"hourly_price_cents" integer NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "venues_capacity_positive" CHECK ("venues"."capacity" > 0),
	CONSTRAINT "venues_hourly_price_non_negative" CHECK ("venues"."hourly_price_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "items_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"kind" "item_kind" NOT NULL,
	"price_cents" integer NOT NULL,
	"stock" integer DEFAULT 0 NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "items_price_non_negative" CHECK ("items"."price_cents" >= 0),
	CONSTRAINT "items_stock_non_negative" CHECK ("items"."stock" >= 0)
);
--> statement-breakpoint
CREATE TABLE "regular_programs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "regular_programs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"venue_id" bigint NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"weekdays" smallint[] NOT NULL,
	"start_time" time NOT NULL,
	"duration_minutes" integer NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"capacity" integer NOT NULL,
	"price_cents" integer NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "regular_programs_duration_positive" CHECK ("regular_programs"."duration_minutes" > 0),
	CONSTRAINT "regular_programs_capacity_positive" CHECK ("regular_programs"."capacity" > 0),
	CONSTRAINT "regular_programs_price_non_negative" CHECK ("regular_programs"."price_cents" >= 0),
	CONSTRAINT "regular_programs_dates_ordered" CHECK ("regular_programs"."ends_on" >= "regular_programs"."starts_on"),
	CONSTRAINT "regular_programs_weekdays_valid" CHECK (cardinality("regular_programs"."weekdays") between 1 and 7 and "regular_programs"."weekdays" <@ array[1,2,3,4,5,6,7]::smallint[])
);
--> statement-breakpoint
CREATE TABLE "bookings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "bookings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" bigint NOT NULL,
	"venue_id" bigint NOT NULL,
	"kind" "booking_kind" DEFAULT 'single' NOT NULL,
	"program_id" bigint,
	"start_datetime" timestamp with time zone NOT NULL,
	"end_datetime" timestamp with time zone NOT NULL,
	"status" "booking_status" DEFAULT 'confirmed' NOT NULL,
	"total_cents" integer NOT NULL,
	"notes" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bookings_end_after_start" CHECK ("bookings"."end_datetime" > "bookings"."start_datetime"),
	CONSTRAINT "bookings_total_non_negative" CHECK ("bookings"."total_cents" >= 0),
	CONSTRAINT "bookings_program_matches_kind" CHECK (("bookings"."kind" = 'program') = ("bookings"."program_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "booking_items" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "booking_items_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"booking_id" bigint NOT NULL,
	"item_id" bigint NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price_cents" integer NOT NULL,
	CONSTRAINT "booking_items_booking_item_key" UNIQUE("booking_id","item_id"),
	CONSTRAINT "booking_items_quantity_positive" CHECK ("booking_items"."quantity" > 0),
	CONSTRAINT "booking_items_unit_price_non_negative" CHECK ("booking_items"."unit_price_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "rack_order_items" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "rack_order_items_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"rack_order_id" bigint NOT NULL,
	"item_id" bigint NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price_cents" integer NOT NULL,
	CONSTRAINT "rack_order_items_order_item_key" UNIQUE("rack_order_id","item_id"),
	CONSTRAINT "rack_order_items_quantity_positive" CHECK ("rack_order_items"."quantity" > 0),
	CONSTRAINT "rack_order_items_unit_price_non_negative" CHECK ("rack_order_items"."unit_price_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "rack_orders" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "rack_orders_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" bigint NOT NULL,
	"status" "rack_order_status" DEFAULT 'paid' NOT NULL,
	"total_cents" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rack_orders_total_non_negative" CHECK ("rack_orders"."total_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "uploads" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "uploads_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" bigint NOT NULL,
	"original_name" text NOT NULL,
	"stored_name" text NOT NULL,
	"mime" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "uploads_stored_name_key" UNIQUE("stored_name"),
	CONSTRAINT "uploads_user_sha256_key" UNIQUE("user_id","sha256"),
	CONSTRAINT "uploads_size_non_negative" CHECK ("uploads"."size_bytes" >= 0),
	CONSTRAINT "uploads_sha256_hex" CHECK ("uploads"."sha256" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "gallery_images" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "gallery_images_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"upload_id" bigint NOT NULL,
	"title" text NOT NULL,
	"caption" text DEFAULT '' NOT NULL,
	"is_public" boolean DEFAULT false NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"user_id" bigint NOT NULL,
	"key" text NOT NULL,
	"route" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer NOT NULL,
	"response_body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_user_id_route_key_pk" PRIMARY KEY("user_id","route","key")
);
--> statement-breakpoint
ALTER TABLE "regular_programs" ADD CONSTRAINT "regular_programs_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venues"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venues"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_program_id_regular_programs_id_fk" FOREIGN KEY ("program_id") REFERENCES "public"."regular_programs"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_items" ADD CONSTRAINT "booking_items_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_items" ADD CONSTRAINT "booking_items_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rack_order_items" ADD CONSTRAINT "rack_order_items_rack_order_id_rack_orders_id_fk" FOREIGN KEY ("rack_order_id") REFERENCES "public"."rack_orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rack_order_items" ADD CONSTRAINT "rack_order_items_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rack_orders" ADD CONSTRAINT "rack_orders_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gallery_images" ADD CONSTRAINT "gallery_images_upload_id_uploads_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."uploads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower_key" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "venues_active_id_idx" ON "venues" USING btree ("is_active","id");--> statement-breakpoint
CREATE INDEX "items_active_kind_id_idx" ON "items" USING btree ("is_active","kind","id");--> statement-breakpoint
CREATE INDEX "regular_programs_venue_id_idx" ON "regular_programs" USING btree ("venue_id");--> statement-breakpoint
CREATE INDEX "regular_programs_active_id_idx" ON "regular_programs" USING btree ("is_active","id");--> statement-breakpoint
CREATE INDEX "bookings_user_id_status_idx" ON "bookings" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "bookings_user_id_id_idx" ON "bookings" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "bookings_start_datetime_idx" ON "bookings" USING btree ("start_datetime","id");--> statement-breakpoint
CREATE INDEX "bookings_venue_id_start_datetime_idx" ON "bookings" USING btree ("venue_id","start_datetime");--> statement-breakpoint
CREATE INDEX "bookings_program_id_idx" ON "bookings" USING btree ("program_id");--> statement-breakpoint
CREATE INDEX "bookings_status_start_datetime_idx" ON "bookings" USING btree ("status","start_datetime","id");--> statement-breakpoint
CREATE UNIQUE INDEX "bookings_one_active_enrolment_key" ON "bookings" USING btree ("program_id","user_id") WHERE "bookings"."kind" = 'program' and "bookings"."status" in ('pending', 'confirmed');--> statement-breakpoint
CREATE INDEX "booking_items_booking_id_idx" ON "booking_items" USING btree ("booking_id");--> statement-breakpoint
CREATE INDEX "booking_items_item_id_idx" ON "booking_items" USING btree ("item_id","id");--> statement-breakpoint
CREATE INDEX "rack_order_items_rack_order_id_idx" ON "rack_order_items" USING btree ("rack_order_id");--> statement-breakpoint
CREATE INDEX "rack_order_items_item_id_idx" ON "rack_order_items" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "rack_orders_user_id_status_idx" ON "rack_orders" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "rack_orders_user_id_id_idx" ON "rack_orders" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "uploads_user_id_id_idx" ON "uploads" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "uploads_sha256_idx" ON "uploads" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "gallery_images_upload_id_idx" ON "gallery_images" USING btree ("upload_id");--> statement-breakpoint
CREATE INDEX "gallery_images_public_order_idx" ON "gallery_images" USING btree ("is_public","sort_order","id");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" USING btree ("created_at");