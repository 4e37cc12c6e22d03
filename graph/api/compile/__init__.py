"""The compiler: a GraphQL selection and its arguments -> ONE parameterised Cypher query.

It reads graph/kinds (through tables.py) and graph/cypher, never the schema: the schema calls it.
"""
