"""The browser routes: the explorer at / and /explore, GraphiQL at /graphiql, and their files.

Everything a page loads comes from this app: its own files (graph/web/static) and the npm
builds fetched at install time (graph/web/vendor, see graph/web/assets.py). The pages' Content
Security Policy says so to the browser too (`default-src 'self'`), so a page that tried to
fetch from elsewhere would be refused by the browser rather than hang on a dead network.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from graph.errors import AssetsMissing
from graph.web import assets

WEB = Path(__file__).resolve().parents[2] / "web"
STATIC = WEB / "static"
EXAMPLES = ("agency", "startup", "analyst")  # the README's example queries, as GraphiQL's tabs
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache"}
# Versioned vendor URLs never change content; our own files may, so they are revalidated.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
MEDIA = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element (no `</script>` or `<!--` can close it)."""
    return json.dumps(value).replace("<", "\\u003c")


def example_tabs(web: Path = WEB) -> list[dict[str, str]]:
    return [{"query": (web / "examples" / f"{name}.graphql").read_text()} for name in EXAMPLES]


def _missing_page(message: str) -> str:
    return (
        "<!doctype html><meta charset=utf-8><title>partnergraph: assets missing</title>"
        f"<body style='font-family:system-ui;margin:3em'><h1>GraphiQL: browser assets missing</h1>"
        f"<p>{message}</p><p>GraphQL itself works: POST queries to <code>/graphql</code>.</p>"
    )


def graphiql_page(vendor: Path = assets.VENDOR) -> str:
    """GraphiQL from local files, with the README's example queries as tabs."""
    try:
        assets.require(vendor)
    except AssetsMissing as exc:
        return _missing_page(exc.message)
    page = Template((WEB / "graphiql.html").read_text())
    g, e = assets.GRAPHIQL, assets.EXPLORER_PLUGIN
    return page.substitute(
        react=assets.REACT.url(assets.REACT.files[0]),
        react_dom=assets.REACT_DOM.url(assets.REACT_DOM.files[0]),
        graphiql_js=g.url("graphiql.min.js"),
        graphiql_css=g.url("graphiql.min.css"),
        explorer_js=e.url("dist/index.umd.js"),
        explorer_css=e.url("dist/style.css"),
        tabs=_script_json(example_tabs()),
    )


def explorer_page() -> str:
    page = Template((WEB / "explorer.html").read_text())
    return page.substitute(cytoscape=assets.CYTOSCAPE.url(assets.CYTOSCAPE.files[0]))


def _inside(root: Path, relative: str) -> Path | None:
    """The file `relative` names under `root`, or None (absent, a folder, or outside root)."""
    if not relative or "\\" in relative or relative.startswith("/"):
        return None
    try:
        path = (root / relative).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            return None
    except (ValueError, OSError):
        # A NUL in the name (ValueError), a name longer than the file system allows
        # (ENAMETOOLONG): no such file. Before, each was a 500 and a 60-line traceback.
        return None
    return path


def serve_file(request: Request, root: Path, cache: str) -> Response:
    """A file under root: its gzip copy when there is one and the client accepts it; 304s."""
    path = _inside(root, request.path_params["path"])
    media = MEDIA.get(path.suffix) if path else None
    if path is None or media is None or path.suffix == ".gz":
        return PlainTextResponse("not found", status_code=404)
    headers = {
        "Cache-Control": cache,
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
    }
    zipped = path.with_name(path.name + ".gz")
    if "gzip" in request.headers.get("accept-encoding", "") and zipped.is_file():
        path, headers["Content-Encoding"] = zipped, "gzip"
    body = path.read_bytes()
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    headers["ETag"] = etag
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media, headers=headers)


def routes(vendor: Path = assets.VENDOR) -> list[BaseRoute]:
    explorer = explorer_page()
    graphiql = graphiql_page(vendor)

    async def explore(request: Request) -> Response:
        # One page for every explorer URL: the script reads the path and asks the API.
        return HTMLResponse(explorer, headers=PAGE_HEADERS)

    async def graphiql_route(request: Request) -> Response:
        return HTMLResponse(graphiql, headers=PAGE_HEADERS)

    async def static(request: Request) -> Response:
        return serve_file(request, STATIC, REVALIDATE)

    async def vendored(request: Request) -> Response:
        return serve_file(request, vendor, IMMUTABLE)

    return [
        Route("/", explore),
        Route("/explore", explore),
        Route("/explore/{rest:path}", explore),
        Route("/graphiql", graphiql_route),
        Route("/static/{path:path}", static),
        Route("/vendor/{path:path}", vendored),
    ]
