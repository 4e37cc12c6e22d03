"""HTTP: the Starlette app, GraphQL over HTTP, the pages, exports, and the connection guards."""
