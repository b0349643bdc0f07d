CREATE TABLE `meeting_attendance` (
	`meeting_id` integer NOT NULL,
	`bridge_point_id` integer NOT NULL,
	`connected` integer NOT NULL,
	`invited` integer NOT NULL,
	`attended` integer NOT NULL,
	PRIMARY KEY(`meeting_id`, `bridge_point_id`),
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`bridge_point_id`) REFERENCES `bridge_points`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `unit_distances` (
	`unit_id` integer PRIMARY KEY NOT NULL,
	`km` real NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE cascade
);
