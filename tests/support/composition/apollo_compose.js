// Composes batches of subgraph sets with @apollo/composition, the oracle for our Python composer.
// stdin: {"<set id>": [{"name": ..., "url": ..., "sdl": ...}, ...], ...}
// stdout: {"<set id>": {"supergraph": "<sdl>", "hints": [{"code": ..., "message": ...}]}
//          | {"errors": [{"code": ..., "message": ...}]}}
"use strict";

const path = require("path");
const nodeModules = path.join(__dirname, "node_modules");
const { composeServices } = require(path.join(nodeModules, "@apollo/composition"));
const { parse } = require(path.join(nodeModules, "graphql"));

function composeSet(subgraphs) {
  let services;
  try {
    services = subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
  } catch (e) {
    return { errors: [{ code: "INVALID_GRAPHQL", message: String(e.message) }] };
  }
  const result = composeServices(services);
  if (result.errors) {
    return {
      errors: result.errors.map((e) => ({
        code: (e.extensions && e.extensions.code) || "UNKNOWN",
        message: e.message,
      })),
    };
  }
  const hints = (result.hints || []).map((h) => ({ code: h.definition.code, message: h.message }));
  return { supergraph: result.supergraphSdl, hints };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const sets = JSON.parse(input);
  const out = {};
  for (const [id, subgraphs] of Object.entries(sets)) {
    out[id] = composeSet(subgraphs);
  }
  process.stdout.write(JSON.stringify(out));
});
