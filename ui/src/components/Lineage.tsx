import { graphql, useFragment, type FragmentType } from "../gql";

export const LineageFragment = graphql(`
  fragment LineagePicture on Project {
    activities {
      id
      command
      used
      generated
    }
  }
`);

interface Node {
  id: string;
  label: string;
  kind: "file" | "activity";
  column: number;
  row: number;
}

const WIDTH = 170;
const HEIGHT = 34;
const GAP_X = 60;
const GAP_Y = 18;

/** Files and the runs that used and generated them, in columns from sources to results. */
export function layout(
  activities: readonly { id: string; command: string; used: readonly string[]; generated: readonly string[] }[],
): { nodes: Node[]; edges: [string, string][] } {
  const edges: [string, string][] = [];
  const labels = new Map<string, [string, Node["kind"]]>();
  for (const a of activities) {
    labels.set(a.id, [a.command, "activity"]);
    for (const f of a.used) {
      labels.set(`file:${f}`, [f, "file"]);
      edges.push([`file:${f}`, a.id]);
    }
    for (const f of a.generated) {
      labels.set(`file:${f}`, [f, "file"]);
      edges.push([a.id, `file:${f}`]);
    }
  }
  const depth = new Map<string, number>();
  const visit = (id: string, seen: Set<string>): number => {
    if (depth.has(id)) return depth.get(id)!;
    if (seen.has(id)) return 0;
    seen.add(id);
    const parents = edges.filter(([, t]) => t === id).map(([s]) => s);
    const d = parents.length ? Math.max(...parents.map((p) => visit(p, seen) + 1)) : 0;
    depth.set(id, d);
    return d;
  };
  const rows = new Map<number, number>();
  const nodes = [...labels.entries()].map(([id, [label, kind]]) => {
    const column = visit(id, new Set());
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    return { id, label, kind, column, row };
  });
  return { nodes, edges };
}

function clip(text: string): string {
  return text.length > 24 ? `…${text.slice(-23)}` : text;
}

/** The project's lineage drawn as a picture (SVG), with a text description for screen readers. */
export function LineagePicture(props: { project: FragmentType<typeof LineageFragment> }) {
  const { activities } = useFragment(LineageFragment, props.project);
  if (activities.length === 0) return <p className="empty">No recorded workflow runs yet.</p>;
  const { nodes, edges } = layout(activities);
  const at = new Map(nodes.map((n) => [n.id, n]));
  const x = (n: Node) => n.column * (WIDTH + GAP_X) + 4;
  const y = (n: Node) => n.row * (HEIGHT + GAP_Y) + 4;
  const width = Math.max(...nodes.map(x)) + WIDTH + 8;
  const height = Math.max(...nodes.map(y)) + HEIGHT + 8;
  const description = activities
    .map((a) => `${a.command} used ${a.used.join(", ") || "nothing"} and generated ${a.generated.join(", ") || "nothing"}`)
    .join("; ");
  return (
    <figure className="lineage">
      <svg
        role="img"
        aria-labelledby="lineage-title"
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        data-testid="lineage"
      >
        <title id="lineage-title">Lineage: {description}</title>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" fill="#44505c" />
          </marker>
        </defs>
        {edges.map(([s, t]) => {
          const a = at.get(s)!;
          const b = at.get(t)!;
          return (
            <line
              key={`${s}->${t}`}
              x1={x(a) + WIDTH}
              y1={y(a) + HEIGHT / 2}
              x2={x(b)}
              y2={y(b) + HEIGHT / 2}
              stroke="#44505c"
              markerEnd="url(#arrow)"
            />
          );
        })}
        {nodes.map((n) => (
          <g key={n.id} className={n.kind}>
            <rect
              x={x(n)}
              y={y(n)}
              width={WIDTH}
              height={HEIGHT}
              rx={n.kind === "activity" ? 4 : 17}
              fill={n.kind === "activity" ? "#fdf1d8" : "#e3eefb"}
              stroke={n.kind === "activity" ? "#9a6700" : "#0b5cad"}
            />
            <text x={x(n) + WIDTH / 2} y={y(n) + HEIGHT / 2 + 5} textAnchor="middle" fontSize="13" fill="#1b1f24">
              {clip(n.label)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>Files (rounded) and the workflow runs (square) that used and generated them.</figcaption>
    </figure>
  );
}
