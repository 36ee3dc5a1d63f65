#!/usr/bin/env python3
"""Vendor Parcours' front-end assets from the npm registry, pinned and hashed.

Nothing is loaded from a CDN at run time: the files below are copied into
``src/parcours/static/vendor/`` together with each package's licence, and
``src/parcours/static/vendor/manifest.json`` records for every package its
version, its SPDX licence, the npm tarball integrity and the sha256 of every
vendored file.

Usage (run from anywhere; paths are resolved from this file):

    python scripts/vendor_assets.py --check
        Offline. Verifies every vendored file against the manifest's sha256,
        that the manifest matches the pins in PACKAGES below, and that the
        vendor folder holds no file the manifest does not list.
        Exit 0 when all is well, 1 on any mismatch, 2 on a usage error.
        This is the CI step.

    python scripts/vendor_assets.py --update
        Needs `npm` and the npm registry. Runs `npm pack <name>@<version>` for
        each pin in PACKAGES, checks the tarball's sha512 against
        `npm view <name>@<version> dist.integrity` (and against the manifest
        when the version is unchanged), checks the declared licence, then
        rewrites the vendored files and manifest.json.

To bump a package: edit its version in PACKAGES, run --update, review the
diff (licence files included), run --check, commit.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VENDOR_DIR = REPO_ROOT / "src" / "parcours" / "static" / "vendor"
MANIFEST_NAME = "manifest.json"
GITATTRIBUTES_NAME = ".gitattributes"
# Files of the vendor folder that are not vendored content.
OWN_FILES = frozenset({MANIFEST_NAME, GITATTRIBUTES_NAME})

# Keep git from rewriting line endings, so the sha256 in the manifest holds on
# every checkout; minified files get no textual diff.
GITATTRIBUTES = """\
# Written by scripts/vendor_assets.py --update.
# Vendored bytes must stay exactly as published: manifest.json holds their sha256.
* -text
*.min.* -diff
"""


@dataclass(frozen=True)
class File:
    source: str  # path inside the npm tarball
    dest: str  # path under the package's vendor directory
    kind: str  # "asset" or "licence"


@dataclass(frozen=True)
class Package:
    name: str  # npm package name
    version: str  # exact pinned version
    directory: str  # folder under static/vendor/
    licence: str  # SPDX identifier the package declares (package.json "license")
    use: str  # "runtime" or "test-only"
    files: tuple[File, ...]
    bundled_licences: str = ""  # third-party licences of code bundled in the assets
    notes: str = ""


def asset(source: str, dest: str) -> File:
    return File(source, dest, "asset")


def licence(source: str, dest: str) -> File:
    return File(source, dest, "licence")


# The pins. Bump a version here, then run --update.
PACKAGES: tuple[Package, ...] = (
    Package(
        name="@picocss/pico",
        version="2.1.1",
        directory="pico",
        licence="MIT",
        use="runtime",
        files=(
            asset("package/css/pico.min.css", "pico.min.css"),
            licence("package/LICENSE.md", "LICENSE.md"),
        ),
        notes="Default (azure) colour theme, class-based build.",
    ),
    Package(
        name="htmx.org",
        version="2.0.11",
        directory="htmx",
        licence="0BSD",
        use="runtime",
        files=(
            asset("package/dist/htmx.min.js", "htmx.min.js"),
            licence("package/LICENSE", "LICENSE"),
        ),
        notes="Held on the 2.x line: django-htmx targets htmx 2.",
    ),
    Package(
        name="echarts",
        version="6.1.0",
        directory="echarts",
        licence="Apache-2.0",
        use="runtime",
        files=(
            asset("package/dist/echarts.min.js", "echarts.min.js"),
            asset("package/i18n/langFR.js", "i18n/langFR.js"),
            licence("package/LICENSE", "LICENSE"),
            # Apache-2.0 section 4(d): the NOTICE goes along. Renamed .txt so the
            # wheel's package-data globs pick it up.
            licence("package/NOTICE", "NOTICE.txt"),
            licence("package/licenses/LICENSE-d3", "LICENSE-d3"),
        ),
        bundled_licences="BSD-3-Clause (d3.js portions, see LICENSE-d3)",
        notes=(
            "English is built in. i18n/langFR.js is a UMD script that calls "
            "echarts.registerLocale('FR', ...): load it after echarts.min.js, "
            "then echarts.init(el, null, {locale: 'FR'})."
        ),
    ),
    Package(
        name="axe-core",
        version="4.14.1",
        directory="axe-core",
        licence="MPL-2.0",
        use="test-only",
        files=(
            asset("package/axe.min.js", "axe.min.js"),
            licence("package/LICENSE", "LICENSE"),
            licence("package/LICENSE-3RD-PARTY.txt", "LICENSE-3RD-PARTY.txt"),
        ),
        bundled_licences="MIT AND ISC (see LICENSE-3RD-PARTY.txt)",
        notes=(
            "Test-only: injected by the browser accessibility tests, never "
            "referenced by a template. Vendored so the tests need no network."
        ),
    ),
)


class VendorError(Exception):
    pass


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def load_manifest(vendor_dir: Path) -> dict[str, Any]:
    path = vendor_dir / MANIFEST_NAME
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise VendorError(f"{path} does not exist: run --update") from exc
    except json.JSONDecodeError as exc:
        raise VendorError(f"{path} is not valid JSON: {exc}") from exc
    return manifest


# --check ------------------------------------------------------------------


def check(vendor_dir: Path) -> list[str]:
    """Return the list of problems found; empty when everything matches."""
    manifest = load_manifest(vendor_dir)
    problems: list[str] = []
    listed: set[str] = set()

    entries = manifest.get("packages")
    if not isinstance(entries, list):
        return [f"{MANIFEST_NAME}: no 'packages' list"]

    pins = {p.name: p for p in PACKAGES}
    seen: set[str] = set()
    for entry in entries:
        name = entry.get("name", "?")
        seen.add(name)
        pin = pins.get(name)
        if pin is None:
            problems.append(f"{name}: in the manifest but not pinned in PACKAGES (run --update)")
        elif entry.get("version") != pin.version:
            problems.append(
                f"{name}: manifest has {entry.get('version')}, PACKAGES pins {pin.version}"
                " (run --update)"
            )
        elif sorted(f["path"] for f in entry.get("files", [])) != sorted(
            f"{pin.directory}/{f.dest}" for f in pin.files
        ):
            problems.append(f"{name}: manifest file list differs from PACKAGES (run --update)")

        for item in entry.get("files", []):
            rel = item["path"]
            listed.add(rel)
            path = vendor_dir / rel
            if not path.is_file():
                problems.append(f"{rel}: missing")
                continue
            actual = sha256_of(path.read_bytes())
            if actual != item["sha256"]:
                problems.append(
                    f"{rel}: sha256 mismatch (manifest {item['sha256']}, file {actual})"
                )

    for name in sorted(set(pins) - seen):
        problems.append(f"{name}: pinned in PACKAGES but absent from the manifest (run --update)")

    for path in sorted(vendor_dir.rglob("*")):
        if path.is_dir():
            continue
        rel = path.relative_to(vendor_dir).as_posix()
        if rel not in listed and rel not in OWN_FILES:
            problems.append(f"{rel}: not listed in the manifest")

    return problems


# --update -----------------------------------------------------------------


def run_npm(*args: str, cwd: Path) -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not on PATH (--update needs it; --check does not)")
    result = subprocess.run([npm, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise VendorError(f"npm {' '.join(args)} failed:\n{result.stderr.strip()}")
    return result.stdout


def fetch(
    pkg: Package, workdir: Path, previous: dict[str, Any] | None
) -> tuple[str, dict[str, bytes]]:
    """Pack one pinned package; return its integrity and {dest path: bytes}."""
    spec = f"{pkg.name}@{pkg.version}"
    expected = run_npm("view", spec, "dist.integrity", cwd=workdir).strip()
    if not expected.startswith("sha512-"):
        raise VendorError(f"{spec}: no sha512 integrity from npm view (got {expected!r})")

    packed = json.loads(
        run_npm("pack", spec, "--json", "--ignore-scripts", "--pack-destination", ".", cwd=workdir)
    )
    tarball = workdir / packed[0]["filename"]
    data = tarball.read_bytes()
    actual = sri_sha512(data)
    if actual != expected:
        raise VendorError(f"{spec}: tarball integrity {actual} != registry {expected}")
    if previous and previous.get("version") == pkg.version and previous.get("integrity") != actual:
        raise VendorError(
            f"{spec}: tarball integrity {actual} differs from the manifest's "
            f"{previous.get('integrity')} for the same version"
        )

    out: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        meta = json.loads(_member(tar, "package/package.json", spec))
        if meta.get("name") != pkg.name or meta.get("version") != pkg.version:
            raise VendorError(f"{spec}: tarball is {meta.get('name')}@{meta.get('version')}")
        if meta.get("license") != pkg.licence:
            raise VendorError(
                f"{spec}: declares licence {meta.get('license')!r}, PACKAGES says "
                f"{pkg.licence!r}: review the licence before updating the pin"
            )
        for f in pkg.files:
            out[f.dest] = _member(tar, f.source, spec)
    return actual, out


def _member(tar: tarfile.TarFile, name: str, spec: str) -> bytes:
    try:
        info = tar.getmember(name)
    except KeyError as exc:
        raise VendorError(f"{spec}: {name} is not in the tarball") from exc
    if not info.isfile():
        raise VendorError(f"{spec}: {name} is not a regular file")
    handle = tar.extractfile(info)
    assert handle is not None
    return handle.read()


def update(vendor_dir: Path) -> None:
    try:
        old = {p["name"]: p for p in load_manifest(vendor_dir).get("packages", [])}
    except VendorError:
        old = {}

    entries = []
    contents: dict[str, dict[str, bytes]] = {}
    with tempfile.TemporaryDirectory(prefix="parcours-vendor-") as tmp:
        for pkg in PACKAGES:
            print(f"npm pack {pkg.name}@{pkg.version}", file=sys.stderr)
            integrity, files = fetch(pkg, Path(tmp), old.get(pkg.name))
            contents[pkg.directory] = files
            entry = {
                "name": pkg.name,
                "version": pkg.version,
                "licence": pkg.licence,
                "integrity": integrity,
                "directory": pkg.directory,
                "use": pkg.use,
                "files": [
                    {
                        "path": f"{pkg.directory}/{f.dest}",
                        "source": f.source,
                        "kind": f.kind,
                        "sha256": sha256_of(files[f.dest]),
                    }
                    for f in pkg.files
                ],
            }
            if pkg.bundled_licences:
                entry["bundled_licences"] = pkg.bundled_licences
            if pkg.notes:
                entry["notes"] = pkg.notes
            entries.append(entry)

    # Everything downloaded and verified: only now touch the vendor folder.
    vendor_dir.mkdir(parents=True, exist_ok=True)
    stale_dirs = {p.get("directory") for p in old.values()} | set(contents)
    for directory in sorted(d for d in stale_dirs if d):
        target = vendor_dir / directory
        if target.resolve().parent != vendor_dir.resolve():
            raise VendorError(f"refusing to remove {target}: outside {vendor_dir}")
        if target.exists():
            shutil.rmtree(target)
    for directory, files in contents.items():
        for dest, data in files.items():
            path = vendor_dir / directory / dest
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    manifest = {
        "comment": (
            "Front-end assets vendored from the npm registry; nothing loads from a CDN. "
            "Written by scripts/vendor_assets.py --update, verified offline by --check. "
            "Do not edit by hand."
        ),
        "schema": 1,
        "packages": entries,
    }
    (vendor_dir / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (vendor_dir / GITATTRIBUTES_NAME).write_text(GITATTRIBUTES, encoding="utf-8")
    for entry in entries:
        print(f"vendored {entry['name']} {entry['version']} ({entry['licence']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Vendor pinned npm front-end assets into static/vendor/."
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--check", action="store_true", help="verify files against manifest.json (offline)"
    )
    mode.add_argument(
        "--update", action="store_true", help="re-download the pins with npm pack and rewrite"
    )
    parser.add_argument(
        "--vendor-dir",
        type=Path,
        default=DEFAULT_VENDOR_DIR,
        help="vendor folder (default: src/parcours/static/vendor)",
    )
    args = parser.parse_args(argv)
    vendor_dir: Path = args.vendor_dir

    try:
        if args.update:
            update(vendor_dir)
            problems = check(vendor_dir)
        else:
            problems = check(vendor_dir)
    except VendorError as exc:
        print(f"vendor_assets: {exc}", file=sys.stderr)
        return 1

    if problems:
        print(f"vendor check FAILED in {vendor_dir}:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    total = sum(len(p.files) for p in PACKAGES)
    print(f"vendor check OK: {total} files in {len(PACKAGES)} packages match manifest.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
