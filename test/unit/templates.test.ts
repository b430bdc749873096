import { describe, expect, it } from "vitest";
import { compileTemplate, decodePromptContent, ordinalReference, renderTemplate } from "../../src/lib/templates";

const render = (content: string, values: Record<string, string>) =>
  renderTemplate(compileTemplate(content), new Map(Object.entries(values)));

describe("decodePromptContent", () => {
  it("decodes named, decimal and hex HTML entities", () => {
    expect(decodePromptContent("&lt;b&gt; &amp; &quot;x&quot; &#39;y&#39; &#36;{a} &#x24;{b}")).toBe(
      `<b> & "x" 'y' \${a} \${b}`,
    );
  });

  it("decodes each entity once, so an encoded entity stays an entity", () => {
    expect(decodePromptContent("&amp;lt;")).toBe("&lt;");
  });

  it("removes the editor's backslash before $ { } _", () => {
    expect(decodePromptContent(String.raw`\$\{name\} snake\_case \n`)).toBe(String.raw`${"${name}"} snake_case \n`);
  });

  it("leaves unknown entities untouched", () => {
    expect(decodePromptContent("&notanentity; &#xZZ;")).toBe("&notanentity; &#xZZ;");
  });
});

describe("compileTemplate", () => {
  it("finds {{x}}, {{ x }} and ${x} placeholders in order, with dashes in names", () => {
    expect(compileTemplate("A {{topic}} B {{ grade-level }} C ${outline} {{topic}}").placeholders).toEqual([
      "topic",
      "grade-level",
      "outline",
      "topic",
    ]);
  });

  it("ignores braces that are not placeholders", () => {
    expect(compileTemplate("{ json: {{ }} } {{1abc}} ${ spaced }").placeholders).toEqual([]);
  });

  it("sees placeholders hidden behind editor encoding", () => {
    expect(compileTemplate("&#36;{topic} and \\{\\{grade\\}\\}").placeholders).toEqual(["topic", "grade"]);
  });
});

describe("renderTemplate", () => {
  it("substitutes inputs and earlier outputs", () => {
    expect(
      render("Lesson on {{topic}} (${grade}):\n{{outline}}", { topic: "fractions", grade: "2", outline: "1. halves" }),
    ).toBe("Lesson on fractions (2):\n1. halves");
  });

  it("is a single pass: a value containing a placeholder is inserted literally", () => {
    expect(render("{{a}} {{b}}", { a: "{{b}}", b: "${a}" })).toBe("{{b}} ${a}");
  });

  it("substitutes missing values as the empty string", () => {
    expect(render("[{{optional}}]", {})).toBe("[]");
  });

  it("does not interpret $ patterns in values", () => {
    expect(render("{{a}}", { a: "$& $1 $$" })).toBe("$& $1 $$");
  });
});

describe("ordinalReference", () => {
  it("reads result_N and prompt_N_output as 1-based ordinals", () => {
    expect(ordinalReference("result_3")).toBe(3);
    expect(ordinalReference("prompt_12_output")).toBe(12);
    expect(ordinalReference("results_3")).toBeUndefined();
    expect(ordinalReference("topic")).toBeUndefined();
  });
});
