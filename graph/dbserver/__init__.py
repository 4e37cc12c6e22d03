"""A local Neo4j 5.26 Community server assembled from Maven Central jars (no Docker)."""

from graph.dbserver.jars import ensure_jars
from graph.dbserver.java import JavaInfo, find_java
from graph.dbserver.server import LocalServer, ServerInfo, ServerStatus

__all__ = ["JavaInfo", "LocalServer", "ServerInfo", "ServerStatus", "ensure_jars", "find_java"]
