CREATE TABLE `recording_policy` (
	`meeting_id` integer PRIMARY KEY NOT NULL,
	`classification` text NOT NULL,
	`allow_confidential` integer DEFAULT false NOT NULL,
	`set_by` integer,
	`set_at` integer NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`set_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `recording_views` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recording_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`at` integer NOT NULL,
	`ip` text,
	`mode` text NOT NULL,
	FOREIGN KEY (`recording_id`) REFERENCES `recordings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recording_views_rec_ix` ON `recording_views` (`recording_id`);--> statement-breakpoint
CREATE TABLE `recordings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`meeting_id` integer NOT NULL,
	`status` text NOT NULL,
	`classification` text NOT NULL,
	`dir` text NOT NULL,
	`pid` integer,
	`started_by` integer,
	`stopped_by` integer,
	`started_at` integer NOT NULL,
	`stopped_at` integer,
	`stop_reason` text,
	`duration_ms` integer,
	`size` integer,
	`sha256` text,
	`chapters` text NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`started_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`stopped_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recordings_meeting_ix` ON `recordings` (`meeting_id`);--> statement-breakpoint
CREATE INDEX `recordings_status_ix` ON `recordings` (`status`);