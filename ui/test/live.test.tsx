// @vitest-environment jsdom
import { cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

// The router's subscription, as graphql-ws hands its events to a sink.
type Sink = { next: (e: unknown) => void; error: (e: unknown) => void; complete: () => void };
const sinks: Sink[] = [];
const stopped = vi.fn();
vi.mock("graphql-ws", () => ({
  createClient: () => ({
    subscribe: (_: unknown, sink: Sink) => {
      sinks.push(sink);
      return stopped;
    },
  }),
}));

const { useSessionChanges } = await import("../src/live");

function Probe(props: { state: string; onChange: () => void; onFailure: () => void }) {
  useSessionChanges([{ id: "s1", state: props.state }], props.onChange, props.onFailure);
  return null;
}

afterEach(cleanup);

describe("live session states", () => {
  it("refetches only when a state differs from the one shown, and falls back on failure", () => {
    const onChange = vi.fn();
    const onFailure = vi.fn();
    const view = render(<Probe state="STARTING" onChange={onChange} onFailure={onFailure} />);
    expect(sinks).toHaveLength(1);
    sinks[0].next({ data: { sessionChanged: { state: "STARTING" } } });
    expect(onChange).not.toHaveBeenCalled();
    sinks[0].next({ data: { sessionChanged: { state: "RUNNING" } } });
    expect(onChange).toHaveBeenCalledTimes(1);
    view.rerender(<Probe state="RUNNING" onChange={onChange} onFailure={onFailure} />);
    expect(sinks).toHaveLength(1);
    sinks[0].error(new Error("closed"));
    expect(onFailure).toHaveBeenCalledTimes(1);
    view.unmount();
    expect(stopped).toHaveBeenCalled();
    sinks[0].complete();
    expect(onChange).toHaveBeenCalledTimes(1);
  });
});
