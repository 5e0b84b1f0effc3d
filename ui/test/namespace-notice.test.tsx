// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { NamespaceNotice } from "../src/components/NamespaceNotice";

const NOTICE =
  "Your username 'carol' was already the namespace of group 'Carol Lab', so your projects live under 'carol-2'.";

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

describe("NamespaceNotice", () => {
  it("shows the notice until it is dismissed, and not again afterwards", () => {
    render(<NamespaceNotice notice={NOTICE} />);
    expect(screen.getByRole("status").textContent).toContain("carol-2");
    fireEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByRole("status")).toBeNull();
    cleanup();
    render(<NamespaceNotice notice={NOTICE} />);
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("shows nothing without a notice", () => {
    const { container } = render(<NamespaceNotice notice={null} />);
    expect(container.innerHTML).toBe("");
  });
});
