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