CREATE TABLE `chat` (
	`id` varchar(24) NOT NULL,
	`user_id` varchar(40) NOT NULL,
	`prompt_slug` varchar(64),
	`title` varchar(200) NOT NULL,
	`system_prompt` text NOT NULL,
	`settings` json NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `chat_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `message` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`chat_id` varchar(24) NOT NULL,
	`user_id` varchar(40) NOT NULL,
	`role` enum('user','assistant') NOT NULL,
	`content` longtext NOT NULL,
	`status` enum('complete','streaming','stopped','error') NOT NULL DEFAULT 'complete',
	`error_code` varchar(64),
	`prompt_tokens` int,
	`completion_tokens` int,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `message_id` PRIMARY KEY(`id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `prompt` (
	`id` int AUTO_INCREMENT NOT NULL,
	`slug` varchar(64) NOT NULL,
	`locale` varchar(8) NOT NULL,
	`category` varchar(32) NOT NULL,
	`icon` varchar(16) NOT NULL DEFAULT '',
	`title` varchar(200) NOT NULL,
	`description` text NOT NULL,
	`system_prompt` text NOT NULL,
	`opening_message` text NOT NULL,
	`settings` json NOT NULL,
	`sort` int NOT NULL DEFAULT 0,
	CONSTRAINT `prompt_id` PRIMARY KEY(`id`),
	CONSTRAINT `prompt_slug_locale_uq` UNIQUE(`slug`,`locale`)
);
--> statement-breakpoint
CREATE TABLE `session` (
	`id` varchar(255) NOT NULL,
	`user_id` varchar(40) NOT NULL,
	`expires_at` datetime NOT NULL,
	CONSTRAINT `session_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `user` (
	`id` varchar(40) NOT NULL,
	`quota_used` int NOT NULL DEFAULT 0,
	`quota_limit` int NOT NULL,
	`locale` varchar(8),
	`theme` enum('system','light','dark') NOT NULL DEFAULT 'system',
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`last_seen_at` datetime(3),
	CONSTRAINT `user_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `chat` ADD CONSTRAINT `chat_user_id_user_id_fk` FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `message` ADD CONSTRAINT `message_chat_id_chat_id_fk` FOREIGN KEY (`chat_id`) REFERENCES `chat`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `session` ADD CONSTRAINT `session_user_id_user_id_fk` FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `chat_user_recent_idx` ON `chat` (`user_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `message_chat_order_idx` ON `message` (`chat_id`,`id`);--> statement-breakpoint
CREATE INDEX `message_user_idx` ON `message` (`user_id`);--> statement-breakpoint
CREATE INDEX `session_user_idx` ON `session` (`user_id`);--> statement-breakpoint
CREATE INDEX `user_sweep_idx` ON `user` (`last_seen_at`,`created_at`);