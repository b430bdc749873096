ALTER TABLE `chain_prompts` ADD `tools` text;--> statement-breakpoint
ALTER TABLE `chain_prompts` ADD `max_steps` integer;--> statement-breakpoint
ALTER TABLE `prompt_results` ADD `tools` text;--> statement-breakpoint
ALTER TABLE `prompt_results` ADD `max_steps` integer;