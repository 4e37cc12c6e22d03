// The one way this page talks to the server: the public GraphQL API, as an anonymous reader.

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/graphql-response+json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new ApiError("the server did not answer: is it running?", "NETWORK");
  }
  let body;
  try {
    body = await response.json();
  } catch (err) {
    throw new ApiError(`the server answered ${response.status} without GraphQL`, "HTTP");
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    throw new ApiError(first.message, (first.extensions || {}).code || "ERROR");
  }
  return body.data;
}

// Fragments every page uses: a citation, as the API gives it.
export const CITE = `fragment cite on Citation { origin where verified source { id title url publisher published } }`;
