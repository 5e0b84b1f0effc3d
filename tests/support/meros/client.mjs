// Posts one GraphQL request that accepts `multipart/mixed;deferSpec=20220824` and prints, one
// JSON line each, the response's {"status", "contentType"} and then every part meros reads:
// {"json": true|false, "headers": {...}, "body": payload}. The job comes as JSON in argv[2]:
// {"url", "query", "headers"}.
import { meros } from "meros/browser";

const job = JSON.parse(process.argv[2]);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const response = await fetch(job.url, {
  method: "POST",
  headers: {
    "content-type": "application/json",
    accept: "multipart/mixed;deferSpec=20220824, application/json",
    ...(job.headers ?? {}),
  },
  body: JSON.stringify({ query: job.query }),
});
print({ status: response.status, contentType: response.headers.get("content-type") });
const parts = await meros(response);
if (parts === response) {
  print({ notMultipart: await response.text() });
  process.exit(1);
}
for await (const part of parts) {
  print({ json: part.json, headers: part.headers, body: part.body });
}
