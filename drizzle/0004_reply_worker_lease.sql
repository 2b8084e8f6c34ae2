ALTER TABLE `message` ADD `worker_id` varchar(64);--> statement-breakpoint
CREATE INDEX `message_streaming_idx` ON `message` (`status`,`worker_id`);