"""Where the store connects: NEO4J_URI when set, else the project's own local Neo4j."""

from __future__ import annotations

from graph.dbserver import LocalServer
from graph.errors import ConfigError, StoreUnavailable
from graph.settings import Settings
from graph.store import Target


def target_for(settings: Settings) -> Target:
    if settings.neo4j_uri:
        if settings.neo4j_password is None:
            raise ConfigError(f"NEO4J_URI is {settings.neo4j_uri} but NEO4J_PASSWORD is not set")
        return Target(
            uri=settings.neo4j_uri,
            user=settings.neo4j_user,
            password=settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
        )
    server = LocalServer.from_settings(settings)
    if not server.status().running:
        raise StoreUnavailable(
            f"store unavailable: the local Neo4j of {server.home} is not running: "
            "start it with `partnergraph db start`, or point NEO4J_URI at a server"
        )
    if settings.neo4j_password is not None:
        password = settings.neo4j_password.get_secret_value()
    else:
        password = server.password_file.read_text(encoding="utf-8").strip()
    return Target(uri=server.uri, user="neo4j", password=password, database="neo4j")
