"""The browser routes through the ASGI app (no browser, no Neo4j): pages, files, safety, and
the asset fetch step's checks."""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
from pathlib import Path

import httpx2 as httpx
import pytest

from graph.api.http.app import create_app
from graph.api.http.pages import EXAMPLES, example_tabs, graphiql_page
from graph.errors import AssetsMissing
from graph.settings import Settings
from graph.store import Target
from graph.web import assets
from tests.neo4j_test import ROOT, free_port


@pytest.fixture
async def client() -> httpx.AsyncClient:
    target = Target(uri=f"bolt://127.0.0.1:{free_port()}", user="neo4j", password="x")
    app = create_app(Settings(), target)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_explorer_pages_are_one_page_with_a_self_only_policy(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/", "/explore", "/explore/Organisation:gangwon-technopark", "/explore/path"):
        response = await client.get(path)
        assert response.status_code == 200
        assert '<script type="module" src="/static/app.js">' in response.text
        assert "default-src 'self'" in response.headers["content-security-policy"]


async def test_pages_name_no_other_host(client: httpx.AsyncClient) -> None:
    """Every src and href a page loads is a path on this server (links in data are not loaded)."""
    html = [(await client.get(p)).text for p in ("/explore", "/graphiql")]
    html.append((await client.get("/graphql", headers={"Accept": "text/html"})).text)
    for page in html:
        loaded = re.findall(r'(?:src|href)="([^"]+)"|name="pg-cytoscape" content="([^"]+)"', page)
        for found in loaded:
            url = "".join(found)
            assert url.startswith(("/", "data:")), url


async def test_graphiql_page_has_the_readme_examples_as_tabs(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.text == graphiql_page()
    tabs = json.loads(re.search(r'id="pg-tabs">(.*?)</script>', response.text, re.S).group(1))  # type: ignore[union-attr]
    assert [t["query"].split("query ")[1].split()[0] for t in tabs] == [
        "Agency",
        "Startup",
        "Analyst",
    ]


def test_the_example_tabs_are_the_readmes_example_queries() -> None:
    section = (ROOT / "README.md").read_text().split("### Example queries")[1].split("\n## ")[0]
    readme = re.findall(r"```graphql\n(.*?)```", section, re.S)
    assert len(readme) == len(EXAMPLES)
    for tab, block in zip(example_tabs(), readme, strict=True):
        body = "\n".join(line for line in tab["query"].splitlines() if not line.startswith("#"))
        assert re.sub(r"^query \w+ ", "", body) + "\n" == block


async def test_vendor_files_are_served_gzipped_and_cached(client: httpx.AsyncClient) -> None:
    url = assets.GRAPHIQL.url("graphiql.min.js")
    plain = await client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/javascript")
    assert "immutable" in plain.headers["cache-control"]
    zipped = await client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decodes it: the same file
    again = await client.get(
        url, headers={"If-None-Match": zipped.headers["etag"], "Accept-Encoding": "gzip"}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/static/../assets.py",
        "/static/%2e%2e/assets.py",
        "/static/..%2f..%2fsettings.py",
        "/static/%2fetc%2fpasswd",
        "/static/",
        "/static/nope.js",
        "/vendor/manifest.json",
        "/vendor/react-18.3.1/react.production.min.js.gz",
        "/vendor/../assets.py",
        # Were 500s with a traceback each: a NUL in the name, a name too long for the disk.
        "/static/app.js%00.png",
        "/vendor/react-18.3.1/%00",
        "/static/" + "a" * 300 + ".js",
        "/vendor/" + "b" * 300 + "/x.js",
    ],
)
async def test_nothing_outside_the_served_files(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404


async def test_graphiql_says_what_to_do_when_assets_are_missing(tmp_path: Path) -> None:
    page = graphiql_page(tmp_path)
    assert "make install" in page
    assert "<script" not in page


def _tarball(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, body in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return out.getvalue()


def test_extract_keeps_the_built_files_and_their_gzip_copies(tmp_path: Path) -> None:
    data = _tarball({"dist/x.min.js": b"var x = 1;", "src/other.js": b"no"})
    package = assets.Package("x", "1.0.0", assets.sri(data), ("dist/x.min.js",))
    (tmp_path / "x.tgz").write_bytes(data)
    written = assets.extract(package, tmp_path / "x.tgz", tmp_path / "vendor")
    assert [p.name for p in written] == ["x.min.js"]
    folder = tmp_path / "vendor" / "x-1.0.0"
    assert sorted(p.name for p in folder.iterdir()) == ["x.min.js", "x.min.js.gz"]
    assert gzip.decompress((folder / "x.min.js.gz").read_bytes()) == b"var x = 1;"


def test_a_tarball_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    data = _tarball({"dist/x.min.js": b"var x = 1;"})
    pinned = assets.sri(_tarball({"dist/x.min.js": b"var x = 2;"}))
    package = assets.Package("x", "1.0.0", pinned, ("dist/x.min.js",))
    (tmp_path / "x.tgz").write_bytes(data)
    with pytest.raises(AssetsMissing, match="not the pinned one"):
        assets.extract(package, tmp_path / "x.tgz", tmp_path / "vendor")
    assert not (tmp_path / "vendor").exists()


def test_missing_names_absent_and_outdated_packages(tmp_path: Path) -> None:
    assert assets.missing(tmp_path) == list(assets.PACKAGES)
    for package in assets.PACKAGES:
        folder = tmp_path / package.folder
        folder.mkdir()
        for file in package.files:
            (folder / Path(file).name).write_text("x")
    versions = {p.name: p.version for p in assets.PACKAGES}
    (tmp_path / assets.MANIFEST).write_text(json.dumps({**versions, "react": "17.0.0"}))
    assert assets.missing(tmp_path) == [assets.REACT]
    (tmp_path / assets.MANIFEST).write_text(json.dumps(versions))
    assert assets.missing(tmp_path) == []
    assets.require(tmp_path)
