// GraphiQL on the router's own /graphql: the browser's login cookie goes along (same origin)
// with the CSRF header the router asks of cookie sessions (README, "Browser login").
(function () {
  "use strict";
  var DASHBOARD = [
    "query Dashboard {",
    "  me {",
    "    username",
    "    projects(first: 10) {",
    "      totalCount",
    "      edges { node {",
    "        name namespace visibility",
    "        createdBy { username }",
    "        members { role user { username } }",
    "        sessions { state url }",
    "        datasets(first: 5) { edges { node { name keywords } } }",
    "      } }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");

  function fetcher(params, options) {
    var headers = { "content-type": "application/json", "x-renku-csrf": "1" };
    var extra = (options && options.headers) || {};
    Object.keys(extra).forEach(function (name) {
      headers[name] = extra[name];
    });
    return fetch(window.location.pathname, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: JSON.stringify(params),
    }).then(function (response) {
      return response.json();
    });
  }

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DASHBOARD,
      defaultEditorToolsVisibility: true,
    }),
  );
})();
