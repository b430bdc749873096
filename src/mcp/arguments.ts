// A tool call's arguments as the model wrote them (a JSON string) → the object to send to the tool, or a
// message telling the model what to fix. Validated with @cfworker/json-schema: no code generation, so it
// runs in workerd, where Ajv's `new Function` is refused.
import { type OutputUnit, type Schema, type SchemaDraft, Validator } from "@cfworker/json-schema";

/** A tool's `inputSchema` as its server lists it. */
export type JsonSchema = Record<string, unknown>;

export type ArgumentsCode = "invalid_json" | "invalid_arguments";

/** The parsed arguments, or why they cannot be sent (the message goes back to the model as the tool's result). */
export type ParsedArguments =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; code: ArgumentsCode; message: string };

const MAX_LISTED = 8;
/** Errors that only say a child failed; the child's own error says how. */
const WRAPPERS = new Set(["properties", "items", "prefixItems", "$ref", "$recursiveRef", "allOf", "false"]);

// Schemas are listed once per run and checked for every call: compile each once.
const validators = new WeakMap<JsonSchema, Validator | null>();

function draftOf(schema: JsonSchema): SchemaDraft {
  const declared = typeof schema.$schema === "string" ? schema.$schema : "";
  if (declared.includes("draft-04")) return "4";
  if (declared.includes("draft-07") || declared.includes("draft-06")) return "7";
  if (declared.includes("2019-09")) return "2019-09";
  return "2020-12";
}

/** The schema's validator; null when the schema itself is unusable (then the server is left to judge). */
function validatorFor(schema: JsonSchema): Validator | null {
  let validator = validators.get(schema);
  if (validator === undefined) {
    try {
      validator = new Validator(schema as Schema, draftOf(schema), false);
    } catch {
      validator = null;
    }
    validators.set(schema, validator);
  }
  return validator;
}

const where = (unit: OutputUnit) => (unit.instanceLocation === "#" ? "the arguments" : unit.instanceLocation.slice(1));
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function describeErrors(errors: OutputUnit[]): string {
  const leaves = errors.filter((unit) => !WRAPPERS.has(unit.keyword));
  const shown = (leaves.length > 0 ? leaves : errors).map((unit) => `${where(unit)}: ${clip(unit.error, 200)}`);
  const listed = shown.slice(0, MAX_LISTED).join("; ");
  return shown.length > MAX_LISTED ? `${listed}; and ${shown.length - MAX_LISTED} more` : listed;
}

/**
 * Parses `raw` (the model's arguments for the function `functionName`) and checks it against the tool's
 * `inputSchema`. An empty string means no arguments (`{}`), as some models send for tools without any.
 */
export function parseArguments(
  raw: string,
  inputSchema: JsonSchema | undefined,
  functionName: string,
): ParsedArguments {
  let value: unknown;
  try {
    value = raw.trim() === "" ? {} : JSON.parse(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : "not JSON";
    return {
      ok: false,
      code: "invalid_json",
      message: `The arguments for ${functionName} are not valid JSON (${clip(reason, 200)}). Call it again with a JSON object.`,
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      code: "invalid_arguments",
      message: `The arguments for ${functionName} must be a JSON object. Call it again with a JSON object.`,
    };
  }
  const validator = inputSchema ? validatorFor(inputSchema) : null;
  const result = validator?.validate(value);
  if (result && !result.valid) {
    return {
      ok: false,
      code: "invalid_arguments",
      message: `The arguments for ${functionName} do not match its input schema: ${describeErrors(result.errors)}. Call it again with arguments that match the schema.`,
    };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
