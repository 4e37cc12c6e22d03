"""The one write path: model records -> rows -> checks -> one Neo4j transaction.

Loads from files, the API's upserts, links, retractions and deletes all come through here:
`plan` resolves and checks, `write` writes every unit or nothing, `delete` removes a node
outright, `rows`/`claims` turn records into what Cypher takes, `resolve`/`names` match
organisations to the nodes they already are.
"""
