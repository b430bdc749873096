// The function names the model sees (SPEC §12): safe characters, the 64-character cap and collisions
// resolved with a hash of the full name, the same names whatever the order, and the map back to the tool.
import { describe, expect, it } from "vitest";
import { FUNCTION_NAME_MAX, functionNames, type ToolRef } from "../../src/mcp/function-names";

const mcp = (server: string, tool: string): ToolRef => ({ kind: "mcp", server, tool });
const assistant = (id: string, name: string): ToolRef => ({ kind: "assistant", id, name });
const A1 = "11111111-1111-4111-8111-111111111111";
const A2 = "22222222-2222-4222-8222-222222222222";

const namesOf = async (refs: ToolRef[]) => [...(await functionNames(refs)).byFullName.values()];

describe("functionNames", () => {
  // Expected hashes: the first 6 hex characters of SHA-256 of the full name, computed outside the code.
  it.each([
    { why: "an MCP tool", refs: [mcp("lesson", "find_standard")], names: ["lesson__find_standard"] },
    { why: "an assistant, by its name", refs: [assistant(A1, "Lesson planner")], names: ["assistant__Lesson_planner"] },
    { why: "unsafe characters become _", refs: [mcp("s", "get.é/x y")], names: ["s__get___x_y"] },
    { why: "- and _ are kept", refs: [mcp("my-server", "a_b-c")], names: ["my-server__a_b-c"] },
    {
      why: "a name over 64 characters is cut to 57 and hashed",
      refs: [mcp("long", "t".repeat(80))],
      names: [`long__${"t".repeat(51)}_19eb5f`],
    },
    {
      why: "two tools whose names collide after replacement are both hashed",
      refs: [mcp("x", "tool.v2"), mcp("x", "tool_v2")],
      names: ["x__tool_v2_494a1a", "x__tool_v2_c16b69"],
    },
    {
      why: "two assistants with one name are told apart by their ids",
      refs: [assistant(A1, "Quiz"), assistant(A2, "Quiz")],
      names: ["assistant__Quiz_84879c", "assistant__Quiz_900587"],
    },
    {
      why: "the same tool twice is one function",
      refs: [mcp("a", "b"), mcp("a", "b")],
      names: ["a__b"],
    },
  ])("$why", async ({ refs, names }) => {
    expect(await namesOf(refs)).toEqual(names);
  });

  it("keeps a name of exactly 64 characters whole", async () => {
    const tool = "t".repeat(FUNCTION_NAME_MAX - "s__".length);
    expect(await namesOf([mcp("s", tool)])).toEqual([`s__${tool}`]);
  });

  it("gives every tool the same name whatever the order of the list", async () => {
    const refs = [mcp("x", "tool.v2"), mcp("x", "tool_v2"), mcp("lesson", "find_standard"), assistant(A1, "Quiz")];
    const forward = await functionNames(refs);
    const backward = await functionNames([...refs].reverse());
    expect(Object.fromEntries(backward.byFullName)).toEqual(Object.fromEntries(forward.byFullName));
  });

  it("maps each function name back to its tool, and every name is unique, safe and at most 64 characters", async () => {
    const refs = [
      mcp("x", "tool.v2"),
      mcp("x", "tool_v2"),
      mcp("lesson", "find_standard"),
      assistant(A1, "A very long assistant name that goes on and on and on past the limit"),
      mcp("server", "a".repeat(100)),
    ];
    const names = await functionNames(refs);
    expect(names.byFunction.size).toBe(refs.length);
    for (const [name, ref] of names.byFunction) {
      expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(refs).toContainEqual(ref);
    }
    expect(names.byFunction.get("lesson__find_standard")).toEqual(mcp("lesson", "find_standard"));
    expect(names.byFullName.get("assistant:11111111-1111-4111-8111-111111111111")).toBe(
      "assistant__A_very_long_assistant_name_that_goes_on_and_on_84879c",
    );
  });

  it("renames a hashed name that would equal another tool's plain name", async () => {
    // "x__tool_v2_494a1a" is what x.tool.v2 gets when it collides with x.tool_v2; the tool with that
    // plain name keeps it, and x.tool.v2 takes the next hash.
    const refs = [mcp("x", "tool.v2"), mcp("x", "tool_v2"), mcp("x", "tool_v2_494a1a")];
    const names = await functionNames(refs);
    expect(names.byFunction.size).toBe(3);
    expect(names.byFullName.get("x.tool_v2_494a1a")).toBe("x__tool_v2_494a1a");
    expect(names.byFullName.get("x.tool.v2")).toMatch(/^x__tool_v2_[0-9a-f]{6}$/);
    expect(names.byFullName.get("x.tool.v2")).not.toBe("x__tool_v2_494a1a");
  });
});
