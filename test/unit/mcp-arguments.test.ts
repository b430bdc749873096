// A tool call's arguments: JSON that is not an object, or that fails the tool's inputSchema, becomes a
// message for the model naming what is wrong; valid arguments come back parsed.
import { describe, expect, it } from "vitest";
import { parseArguments } from "../../src/mcp/arguments";

const schema = {
  type: "object",
  properties: {
    topic: { type: "string", minLength: 2 },
    grade: { type: "integer", minimum: 0, maximum: 12 },
    tags: { type: "array", items: { type: "string" } },
  },
  required: ["topic"],
  additionalProperties: false,
};

describe("parseArguments", () => {
  it("returns the parsed object when it matches the schema", () => {
    expect(parseArguments('{"topic": "fractions", "grade": 4, "tags": ["math"]}', schema, "lesson__find")).toEqual({
      ok: true,
      value: { topic: "fractions", grade: 4, tags: ["math"] },
    });
  });

  it("reads empty arguments as an empty object (tools without parameters)", () => {
    expect(parseArguments("", { type: "object" }, "s__ping")).toEqual({ ok: true, value: {} });
    expect(parseArguments("  ", undefined, "s__ping")).toEqual({ ok: true, value: {} });
  });

  it("refuses text that is not JSON, naming the function, without running anything", () => {
    const parsed = parseArguments('{"topic": "fractions"', schema, "lesson__find");
    expect(parsed).toMatchObject({ ok: false, code: "invalid_json" });
    expect(!parsed.ok && parsed.message).toMatch(/^The arguments for lesson__find are not valid JSON \(.+\)/);
  });

  it.each([["[1, 2]"], ["42"], ['"text"'], ["null"]])("refuses JSON that is not an object: %s", (raw) => {
    expect(parseArguments(raw, schema, "lesson__find")).toEqual({
      ok: false,
      code: "invalid_arguments",
      message: "The arguments for lesson__find must be a JSON object. Call it again with a JSON object.",
    });
  });

  it("names each property that fails the schema, not the wrappers around it", () => {
    const parsed = parseArguments('{"grade": "four", "tags": [1], "extra": true}', schema, "lesson__find");
    expect(parsed).toMatchObject({ ok: false, code: "invalid_arguments" });
    const message = parsed.ok ? "" : parsed.message;
    expect(message).toContain("The arguments for lesson__find do not match its input schema: ");
    expect(message).toContain('the arguments: Instance does not have required property "topic"');
    expect(message).toContain('/grade: Instance type "string" is invalid. Expected "integer"');
    expect(message).toContain('/tags/0: Instance type "number" is invalid. Expected "string"');
    expect(message).toContain('Property "extra" does not match additional properties schema');
    expect(message).not.toContain("does not match schema.");
  });

  it("checks draft-07 schemas, as many MCP servers declare them", () => {
    const draft7 = { $schema: "http://json-schema.org/draft-07/schema#", ...schema };
    expect(parseArguments('{"topic": "x"}', draft7, "f")).toMatchObject({ ok: false, code: "invalid_arguments" });
    expect(parseArguments('{"topic": "xy"}', draft7, "f")).toMatchObject({ ok: true });
  });

  it("lists at most 8 problems and says how many more there are", () => {
    const many = {
      type: "object",
      properties: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`p${i}`, { type: "string" }])),
    };
    const raw = JSON.stringify(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`p${i}`, i])));
    const parsed = parseArguments(raw, many, "f");
    expect(parsed.ok ? "" : parsed.message).toContain("; and 4 more.");
  });
});
