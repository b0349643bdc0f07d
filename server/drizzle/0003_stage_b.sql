CREATE TABLE `minutes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`meeting_id` integer NOT NULL,
	`version` integer NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`change_note` text,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`finalised_by` integer,
	`finalised_at` text,
	`snapshot` text,
	`pdf_sha256` text,
	`docx_sha256` text,
	`audit_head` text,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`finalised_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `minutes_meeting_version_uq` ON `minutes` (`meeting_id`,`version`);--> statement-breakpoint
CREATE INDEX `minutes_status_ix` ON `minutes` (`status`);--> statement-breakpoint
CREATE TABLE `minutes_fields` (
	`minutes_id` integer NOT NULL,
	`field` text NOT NULL,
	`version` integer NOT NULL,
	`value` text NOT NULL,
	`by` integer,
	`at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`minutes_id`, `field`, `version`),
	FOREIGN KEY (`minutes_id`) REFERENCES `minutes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `minutes_settings` (
	`unit_id` integer PRIMARY KEY NOT NULL,
	`style` text NOT NULL,
	`superior` text NOT NULL,
	`issuer` text NOT NULL,
	`symbol` text NOT NULL,
	`place` text NOT NULL,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `meeting_reminders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`meeting_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`offset_minutes` integer NOT NULL,
	`starts_at` text NOT NULL,
	`created_at` text NOT NULL,
	`shown` integer DEFAULT true NOT NULL,
	`seen_at` text,
	`emailed_at` text,
	`email_attempts` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `meeting_reminders_uq` ON `meeting_reminders` (`meeting_id`,`user_id`,`offset_minutes`,`starts_at`);--> statement-breakpoint
CREATE INDEX `meeting_reminders_user_ix` ON `meeting_reminders` (`user_id`,`seen_at`);--> statement-breakpoint
ALTER TABLE `users` ADD `email` text;