CREATE TABLE `user_profiles` (
	`user_id` text PRIMARY KEY NOT NULL,
	`email` text,
	`name` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
-- Executions that ended before spending entries existed get theirs, as their records would have written them
-- (per execution and model; a prompt without usage counts 0), so usage reports cover them too.
INSERT OR IGNORE INTO `spending_entries` (`execution_id`, `model`, `owner_id`, `day`, `tool_id`, `tool_name`, `status`, `input_tokens`, `output_tokens`, `cost_micros`)
SELECT e.`id`, r.`model`, e.`owner_id`, e.`created_at` - (e.`created_at` % 86400000), e.`tool_id`, e.`tool_name`, e.`status`,
	coalesce(sum(r.`input_tokens`), 0), coalesce(sum(r.`output_tokens`), 0), coalesce(sum(r.`cost_micros`), 0)
FROM `tool_executions` e JOIN `prompt_results` r ON r.`execution_id` = e.`id`
WHERE e.`status` IN ('completed', 'failed', 'canceled', 'timed_out') AND e.`completed_at` IS NOT NULL
GROUP BY e.`id`, r.`model`;
