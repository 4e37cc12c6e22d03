"""The browser assets (GraphiQL, React, cytoscape.js): pinned npm tarballs fetched at install time.

Nothing served fetches from the internet: `make install` runs `python -m graph.web.assets`,
which asks npm (`npm pack`, the npm registry's ordinary client) for each pinned tarball, checks
its sha512 against the integrity pinned here, and keeps only the few built files the pages load
in graph/web/vendor/ (gitignored), each with a gzip copy served to browsers that accept it.
A run with everything in place does nothing; a version bump here fetches the new files.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.errors import AssetsMissing

VENDOR = Path(__file__).resolve().parent / "vendor"
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Package:
    """One npm package at one version, and the built files taken from its tarball."""

    name: str
    version: str
    integrity: str  # the registry's `dist.integrity` (sha512, base64)
    files: tuple[str, ...]  # paths inside the tarball, under package/

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def folder(self) -> str:
        """vendor/<folder>/: the version is in the URL, so browsers may cache it forever."""
        return f"{self.name.replace('@', '').replace('/', '-')}-{self.version}"

    def url(self, file: str) -> str:
        return f"/vendor/{self.folder}/{Path(file).name}"


# GraphiQL 3 is the last major with a browser build (UMD); it needs React 18, whose UMD builds
# went away in React 19. The explorer plugin 1.0.x is the one built against GraphiQL 3's globals.
REACT = Package(
    "react",
    "18.3.1",
    "sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==",
    ("umd/react.production.min.js",),
)
REACT_DOM = Package(
    "react-dom",
    "18.3.1",
    "sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==",
    ("umd/react-dom.production.min.js",),
)
GRAPHIQL = Package(
    "graphiql",
    "3.8.3",
    "sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==",
    ("graphiql.min.js", "graphiql.min.css"),
)
EXPLORER_PLUGIN = Package(
    "@graphiql/plugin-explorer",
    "1.0.2",
    "sha512-9j+kg2UjtLZD5EBmGjeWHkoVVxtbShYg2DzbUVebibnZYZM/iMBEF4vaccXJIAm5KaomIPLx0aoNs4LbODyc3Q==",
    ("dist/index.umd.js", "dist/style.css"),
)
CYTOSCAPE = Package(
    "cytoscape",
    "3.35.0",
    "sha512-sMvBIXiGMnhkCaWz2R06FwF/27MNlS+Tqvi17foO9UhnUg3XGZccKjxsvEqQFAQYMSSZmN5SxYzUYlQ0DOJJ3g==",
    ("dist/cytoscape.min.js",),
)
PACKAGES = (REACT, REACT_DOM, GRAPHIQL, EXPLORER_PLUGIN, CYTOSCAPE)


def sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def installed(vendor: Path = VENDOR) -> dict[str, str]:
    """Package name -> version of what the manifest says is in place (empty when nothing is)."""
    try:
        recorded = json.loads((vendor / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in recorded.items()} if isinstance(recorded, dict) else {}


def missing(vendor: Path = VENDOR) -> list[Package]:
    """The pinned packages whose files are absent or of another version."""
    have = installed(vendor)
    return [
        p
        for p in PACKAGES
        if have.get(p.name) != p.version
        or not all((vendor / p.folder / Path(f).name).is_file() for f in p.files)
    ]


def require(vendor: Path = VENDOR) -> None:
    absent = missing(vendor)
    if absent:
        names = ", ".join(p.spec for p in absent)
        raise AssetsMissing(
            f"browser assets not installed ({names}): run `make install` "
            "or `python -m graph.web.assets`"
        )


def _npm_pack(package: Package, into: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsMissing("npm is not on PATH: install Node.js and npm, then `make install`")
    done = subprocess.run(
        [npm, "pack", package.spec, "--json", "--pack-destination", str(into)],
        capture_output=True,
        text=True,
        check=False,
        cwd=into,
    )
    if done.returncode != 0:
        raise AssetsMissing(f"`npm pack {package.spec}` failed: {done.stderr.strip()[-500:]}")
    return into / str(json.loads(done.stdout)[0]["filename"])


def extract(package: Package, tarball: Path, vendor: Path) -> list[Path]:
    """Check the tarball against the pinned integrity, then keep the package's built files."""
    data = tarball.read_bytes()
    if sri(data) != package.integrity:
        raise AssetsMissing(
            f"{package.spec}: the tarball's sha512 is not the pinned one: refusing to use it"
        )
    folder = vendor / package.folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    written = []
    with tarfile.open(tarball, "r:gz") as archive:
        for file in package.files:
            member = archive.extractfile(f"package/{file}")
            if member is None:
                raise AssetsMissing(f"{package.spec} has no file {file}")
            body = member.read()
            target = folder / Path(file).name
            target.write_bytes(body)
            # mtime 0: the same bytes every run, so the gzip copy's ETag stays put too.
            target.with_name(target.name + ".gz").write_bytes(
                gzip.compress(body, compresslevel=9, mtime=0)
            )
            written.append(target)
    return written


def fetch(vendor: Path = VENDOR) -> list[Package]:
    """Fetch what is missing; returns the packages fetched (none when all are in place)."""
    todo = missing(vendor)
    if not todo:
        return []
    vendor.mkdir(parents=True, exist_ok=True)
    have = installed(vendor)
    with tempfile.TemporaryDirectory(prefix="partnergraph-npm-") as tmp:
        for package in todo:
            extract(package, _npm_pack(package, Path(tmp)), vendor)
            have[package.name] = package.version
            (vendor / MANIFEST).write_text(json.dumps(have, indent=2, sort_keys=True) + "\n")
    return todo


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph.web.assets", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if anything is missing")
    args = parser.parse_args(argv)
    try:
        if args.check:
            require()
            return 0
        fetched = fetch()
    except AssetsMissing as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    what = ", ".join(p.spec for p in fetched) if fetched else "nothing to fetch"
    print(f"browser assets in {VENDOR}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
