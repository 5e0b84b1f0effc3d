// Runs operations through @apollo/gateway, the reference of the differential test.
// stdin: {"supergraph": "<sdl>", "operations": [{"query", "variables", "operationName"}, ...]}
// stdout: one JSON array, the gateway's {data, errors} per operation, in order.
import { createHash } from "node:crypto";
import { ApolloGateway } from "@apollo/gateway";
import { getOperationAST, getVariableValues, parse, validate } from "graphql";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function readStdin() {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text);
}

// As @apollo/server answers an invalid operation or variables, before the gateway runs.
function refused(errors, code) {
  return { errors: errors.map((e) => ({ message: e.message, extensions: { code } })) };
}

async function run(executor, schema, { query, variables, operationName }) {
  const document = parse(query);
  const invalid = validate(schema, document);
  if (invalid.length > 0) return refused(invalid, "GRAPHQL_VALIDATION_FAILED");
  const operation = getOperationAST(document, operationName);
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return refused(coerced.errors, "BAD_USER_INPUT");
  const result = await executor({
    request: { query, variables: variables ?? {}, operationName },
    document,
    operationName: operationName ?? null,
    queryHash: createHash("sha256").update(query).digest("hex"),
    context: {},
    logger: quiet,
    metrics: {},
  });
  return { data: result.data, errors: result.errors };
}

const input = await readStdin();
const gateway = new ApolloGateway({ supergraphSdl: input.supergraph, logger: quiet });
const { schema, executor } = await gateway.load();
const results = [];
for (const operation of input.operations) {
  try {
    results.push(await run(executor, schema, operation));
  } catch (error) {
    results.push({ errors: [{ message: String(error.message), extensions: { code: "THROWN" } }] });
  }
}
await gateway.stop();
process.stdout.write(JSON.stringify(results));
