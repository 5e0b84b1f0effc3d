-- wrk script of the gateway benchmark (bench/gateways): POSTs the JSON body in the file
-- $BENCH_BODY_FILE with the headers in $BENCH_HEADERS ("name: value" lines), counts answers
-- that carry GraphQL errors, and prints every figure as one JSON line starting with BENCH_RESULT.

local file = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["content-type"] = "application/json"
for name, value in string.gmatch(os.getenv("BENCH_HEADERS") or "", "([^:\n]+):%s*([^\n]+)") do
  wrk.headers[name] = value
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

graphql_errors = 0

function response(status, headers, body)
  if body and string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end

function done(summary, latency, requests)
  local errors = 0
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("graphql_errors")
  end
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "non_2xx": %d, "timeouts": %d, '
      .. '"graphql_errors": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    errors, latency:percentile(50), latency:percentile(99), latency.max, latency.mean))
end
