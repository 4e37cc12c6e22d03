"""The strawberry schema: root fields, object types, inputs, questions, mutations, relay ids."""
