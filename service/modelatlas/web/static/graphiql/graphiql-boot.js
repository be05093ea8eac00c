// Renders GraphiQL (vendored React and GraphiQL, loaded before this file) into #graphiql,
// querying the endpoint named by its data-endpoint attribute; a file, not an inline script,
// so the page's Content-Security-Policy can refuse every inline script.
"use strict";
(function () {
  var root = document.getElementById("graphiql");
  var fetcher = GraphiQL.createFetcher({ url: root.dataset.endpoint });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
    })
  );
})();
