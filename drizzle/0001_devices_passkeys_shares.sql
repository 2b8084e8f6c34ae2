CREATE TABLE `device_link` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`user_id` varchar(40) NOT NULL,
	`code_hash` varchar(64) NOT NULL,
	`token_hash` varchar(64) NOT NULL,
	`expires_at` datetime(3) NOT NULL,
	`used_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `device_link_id` PRIMARY KEY(`id`),
	CONSTRAINT `device_link_code_uq` UNIQUE(`code_hash`),
	CONSTRAINT `device_link_token_uq` UNIQUE(`token_hash`)
);
--> statement-breakpoint
CREATE TABLE `passkey` (
	`id` varchar(255) NOT NULL,
	`user_id` varchar(40) NOT NULL,
	`public_key` text NOT NULL,
	`counter` bigint unsigned NOT NULL DEFAULT 0,
	`transports` varchar(255),
	`name` varchar(100) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`last_used_at` datetime(3),
	CONSTRAINT `passkey_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `share` (
	`id` varchar(24) NOT NULL,
	`user_id` varchar(40) NOT NULL,
	`chat_id` varchar(24) NOT NULL,
	`title` varchar(200) NOT NULL,
	`system_prompt` text NOT NULL,
	`settings` json NOT NULL,
	`messages` longtext NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `share_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `webauthn_challenge` (
	`challenge` varchar(128) NOT NULL,
	`session_id` varchar(255) NOT NULL,
	`purpose` enum('register','authenticate') NOT NULL,
	`expires_at` datetime(3) NOT NULL,
	CONSTRAINT `webauthn_challenge_challenge` PRIMARY KEY(`challenge`)
);
--> statement-breakpoint
ALTER TABLE `session` ADD `user_agent` varchar(255);--> statement-breakpoint
ALTER TABLE `session` ADD `created_at` datetime(3) DEFAULT CURRENT_TIMESTAMP(3) NOT NULL;--> statement-breakpoint
ALTER TABLE `session` ADD `last_seen_at` datetime(3);--> statement-breakpoint
ALTER TABLE `device_link` ADD CONSTRAINT `device_link_user_id_user_id_fk` FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `passkey` ADD CONSTRAINT `passkey_user_id_user_id_fk` FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `share` ADD CONSTRAINT `share_user_id_user_id_fk` FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `share` ADD CONSTRAINT `share_chat_id_chat_id_fk` FOREIGN KEY (`chat_id`) REFERENCES `chat`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `device_link_user_idx` ON `device_link` (`user_id`);--> statement-breakpoint
CREATE INDEX `passkey_user_idx` ON `passkey` (`user_id`);--> statement-breakpoint
CREATE INDEX `share_user_idx` ON `share` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `share_chat_idx` ON `share` (`chat_id`);--> statement-breakpoint
CREATE INDEX `webauthn_challenge_expiry_idx` ON `webauthn_challenge` (`expires_at`);