// @vitest-environment jsdom
import { render, screen, cleanup } from "@testing-library/react";
import axe from "axe-core";
import { afterEach, describe, expect, it } from "vitest";
import { fieldErrors } from "../src/api";
import { Field } from "../src/components/Field";
import { layout } from "../src/components/Lineage";
import { Markdown } from "../src/components/Markdown";

afterEach(cleanup);

describe("Markdown", () => {
  it("renders Markdown and shows the source's HTML as text, never as elements", () => {
    const { container } = render(
      <Markdown label="Description" source={'# Title\n\n<img src=x onerror="alert(1)"> [x](javascript:alert(1))'} />,
    );
    expect(container.querySelector("h1")?.textContent).toBe("Title");
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector('a[href^="javascript"]')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror="alert(1)">');
  });
});

describe("Field", () => {
  it("shows the server's error at its field, and axe finds nothing serious", async () => {
    const errors = fieldErrors([
      { code: "BAD_USER_INPUT", message: "The name is empty.", field: "name" },
      { code: "CONFLICT", message: "Someone else changed it.", field: null },
    ]);
    const { container } = render(
      <form>
        <Field id="name" label="Name" error={errors.name}>
          <input id="name" aria-describedby="name-error" />
        </Field>
      </form>,
    );
    expect(screen.getByLabelText("Name").getAttribute("aria-describedby")).toBe("name-error");
    expect(screen.getByRole("alert").textContent).toBe("The name is empty.");
    expect(errors[""]).toBe("Someone else changed it.");
    const result = await axe.run(container, { resultTypes: ["violations"] });
    expect(result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
  });
});

describe("lineage layout", () => {
  it("puts files and runs in columns from sources to results", () => {
    const { nodes, edges } = layout([
      { id: "a1", command: "python clean.py", used: ["raw.csv"], generated: ["clean.csv"] },
    ]);
    const column = Object.fromEntries(nodes.map((n) => [n.label, n.column]));
    expect(column).toEqual({ "python clean.py": 1, "raw.csv": 0, "clean.csv": 2 });
    expect(edges).toEqual([["file:raw.csv", "a1"], ["a1", "file:clean.csv"]]);
  });
});
