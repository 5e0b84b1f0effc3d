// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import axe from "axe-core";
import { afterEach, describe, expect, it } from "vitest";
import { SearchFilters } from "../src/components/SearchFilters";
import { searchVariables, withFilters } from "../src/searchParams";

afterEach(cleanup);

describe("search filters", () => {
  it("turns the URL's creators and days into the search's arguments", () => {
    const params = new URLSearchParams(
      "q=flight&creator=Alice+Liddell&creator=Bob&since=2024-03-01&until=2024-03-31",
    );
    expect(searchVariables(params)).toEqual({
      query: "flight",
      types: null,
      keywords: null,
      creators: ["Alice Liddell", "Bob"],
      since: "2024-03-01T00:00:00Z",
      until: "2024-03-31T23:59:59Z",
    });
    expect(searchVariables(new URLSearchParams("")).creators).toBeNull();
  });

  it("keeps the other terms and drops empty filters", () => {
    const params = new URLSearchParams("q=flight&type=DATASET&since=2020-01-01");
    expect(withFilters(params, { creators: [" Alice ", ""], since: "", until: "2024-12-31" })).toBe(
      "/search?q=flight&type=DATASET&creator=Alice&until=2024-12-31",
    );
  });

  it("puts the applied filters in the URL query, and axe finds nothing serious", async () => {
    window.history.replaceState(null, "", "/search?q=flight");
    const { container } = render(<SearchFilters params={new URLSearchParams("q=flight")} />);
    fireEvent.change(screen.getByLabelText(/Creators/), { target: { value: "Alice Liddell, Bob" } });
    fireEvent.change(screen.getByLabelText("Created since"), { target: { value: "2024-03-01" } });
    fireEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    const query = new URLSearchParams(window.location.search);
    expect(query.get("q")).toBe("flight");
    expect(query.getAll("creator")).toEqual(["Alice Liddell", "Bob"]);
    expect(query.get("since")).toBe("2024-03-01");
    expect(query.has("until")).toBe(false);
    const result = await axe.run(container, { resultTypes: ["violations"] });
    expect(result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
  });
});
