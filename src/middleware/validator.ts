// zValidator wrapped once so every validation failure becomes a 400 AppError naming each bad field.
import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { ZodType } from "zod";
import { AppError, type FieldIssue } from "../lib/errors";

/** Turns zod issues into `{path, message}` pairs a client can show next to each field. */
export function toFieldIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}

/** Validates a request part with zod; failures throw `validation_failed` listing every issue. */
export const validate = <Target extends keyof ValidationTargets, Schema extends ZodType>(
  target: Target,
  schema: Schema,
) =>
  zValidator(target, schema, (result) => {
    if (!result.success) {
      const fields = toFieldIssues(result.error.issues);
      const summary = fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join("; ");
      throw new AppError("validation_failed", `Invalid ${target}: ${summary}`, { details: { fields } });
    }
  });
