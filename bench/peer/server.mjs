// The peer of bench/peer.py: the Neo4j GraphQL Library (@neo4j/graphql, pinned in
// package-lock.json) on GraphQL Yoga, over the same Neo4j and data as partnergraph. Its type
// definitions mirror partnergraph's label and relationship types for organisations.
// Usage: NEO4J_URI=... NEO4J_USER=... NEO4J_PASSWORD=... PORT=... node server.mjs
import { createServer } from "node:http";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { createYoga } from "graphql-yoga";
import neo4j from "neo4j-driver";

const typeDefs = /* GraphQL */ `
  type Organisation @node {
    id: String!
    name: String!
    kind: String
    status: String
    country: String
    city: String
    established: Int
    ror: String
    wikidata: String
    isni: String
    grid: String
    fundref: String
    registryCode: String
    website: String
    children: [Organisation!]! @relationship(type: "CHILD_OF", direction: IN)
    parents: [Organisation!]! @relationship(type: "CHILD_OF", direction: OUT)
    related: [Organisation!]! @relationship(type: "RELATED_TO", direction: OUT)
  }
`;

for (const name of ["NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "PORT"]) {
  if (!process.env[name]) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
}
const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`PORT must be a port number, not ${process.env.PORT}`);
  process.exit(2);
}
const driver = neo4j.driver(
  process.env.NEO4J_URI,
  neo4j.auth.basic(process.env.NEO4J_USER, process.env.NEO4J_PASSWORD),
);
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
// Errors unmasked: when the peer fails a question, the benchmark reports why.
const yoga = createYoga({ schema, logging: false, graphiql: false, maskedErrors: false });
createServer(yoga).listen(port, "127.0.0.1", () => console.log(`peer on ${port}`));
