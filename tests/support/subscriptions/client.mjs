// Subscribes through graphql-ws's own client and prints what it receives, one JSON line each:
// {"index": i, "next": payload}, {"index": i, "error": errors}, {"index": i, "complete": true},
// {"closed": code, "reason": text}. The job comes as JSON in argv[2]:
// {"url", "connectionParams", "headers", "subscriptions": [{"query", "variables"}]}.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const job = JSON.parse(process.argv[2]);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

class HeaderWebSocket extends WebSocket {
  constructor(address, protocols) {
    super(address, protocols, { headers: job.headers ?? {} });
  }
}

const client = createClient({
  url: job.url,
  webSocketImpl: HeaderWebSocket,
  connectionParams: job.connectionParams ?? {},
  retryAttempts: 0,
  lazy: false,
  onNonLazyError: () => {},
  on: {
    closed: (event) => {
      print({ closed: event.code, reason: event.reason });
      process.exit(0);
    },
  },
});

job.subscriptions.forEach((payload, index) => {
  client.subscribe(payload, {
    next: (value) => print({ index, next: value }),
    error: (error) => {
      if (Array.isArray(error)) print({ index, error });
    },
    complete: () => print({ index, complete: true }),
  });
});
