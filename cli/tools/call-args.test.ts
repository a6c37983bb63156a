import { describe, expect, it } from "vitest";
import { CliError } from "../errors.js";
import { buildArguments, coerceValue } from "./call-args.js";

const tool = {
  inputSchema: {
    type: "object" as const,
    properties: { a: { type: "number" }, n: { type: "integer" }, s: { type: "string" }, b: { type: "boolean" }, o: { type: "object" }, l: { type: "array" } },
  },
};

describe("buildArguments", () => {
  it("reads key=value by the property's schema type", () => {
    expect(buildArguments(undefined, ["a=1.5", "n=2", "s=007", "b=false", 'o={"k":1}', "l=[1,2]"], tool)).toEqual({ a: 1.5, n: 2, s: "007", b: false, o: { k: 1 }, l: [1, 2] });
  });

  it("without a schema type, takes JSON when it parses and text otherwise", () => {
    expect(buildArguments(undefined, ["x=3", "y=hello", "z=", "w=a=b"], undefined)).toEqual({ x: 3, y: "hello", z: "", w: "a=b" });
  });

  it("merges --args with the words, the words winning", () => {
    expect(buildArguments('{"s":"from json","a":1}', ["s=from word"], tool)).toEqual({ s: "from word", a: 1 });
  });

  it("refuses --args that is not a JSON object", () => {
    expect(() => buildArguments("[1]", [], tool)).toThrow(new CliError(`--args must be a JSON object, e.g. --args '{"message":"hi"}' (got "[1]").`));
    expect(() => buildArguments("{", [], tool)).toThrow(new CliError(`--args must be a JSON object, e.g. --args '{"message":"hi"}' (got "{").`));
  });

  it("refuses a word without = or without a key", () => {
    expect(() => buildArguments(undefined, ["oops"], tool)).toThrow(new CliError('argument "oops" is not key=value. Write e.g. message=hi, or pass --args JSON.'));
    expect(() => buildArguments(undefined, ["=1"], tool)).toThrow(new CliError('argument "=1" is not key=value. Write e.g. message=hi, or pass --args JSON.'));
  });
});

describe("coerceValue", () => {
  it("names the key, the expected type and an example when a value does not fit", () => {
    expect(() => coerceValue("a", "x", "number")).toThrow(new CliError("argument a=x: a is a number in the tool's input schema. Write e.g. a=3, or pass --args JSON."));
    expect(() => coerceValue("n", "", "integer")).toThrow(new CliError("argument n=: n is a integer in the tool's input schema. Write e.g. n=3, or pass --args JSON."));
    expect(() => coerceValue("b", "yes", "boolean")).toThrow(new CliError("argument b=yes: b is a boolean in the tool's input schema. Write e.g. b=true, or pass --args JSON."));
    expect(() => coerceValue("o", "{", "object")).toThrow(new CliError(`argument o={: o is an object in the tool's input schema. Write e.g. o='{"k":1}', or pass --args JSON.`));
  });

  it("keeps text for a property that may be a string among other types", () => {
    expect(coerceValue("v", "12", ["string", "number"])).toBe("12");
  });
});
