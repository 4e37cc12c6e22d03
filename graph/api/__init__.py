"""The GraphQL API: strawberry schema and the Starlette app that serves it."""
