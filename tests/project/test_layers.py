"""The import graph between the project's apps (docs/architecture.md, "Layers").

Read with `ast` from the source (every `import` and `from ... import`, at module level or
inside a function; migrations included), so a rule is checked without importing anything:

    common      imports no app of the project
    accounts    imports common only
    realtime    imports common only (the user model via get_user_model/AUTH_USER_MODEL)
    directory, billing, moderation   the domain, above accounts and realtime
    tasks, frontend, legacy          the top: nothing imports them but `project`

and no two apps import each other, directly or through others.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

from tests.support.processes import ROOT

APPS = (
    "common",
    "accounts",
    "realtime",
    "directory",
    "billing",
    "moderation",
    "tasks",
    "frontend",
    "legacy",
    "project",
)
TOP = ("tasks", "frontend", "legacy")

# What each app may import (besides itself, Django and third-party packages).
ALLOWED = {
    "common": set(),
    "accounts": {"common"},
    "realtime": {"common"},
}
# Who may import the top apps: the wiring (Celery app, URLconf, settings).
TOP_IMPORTERS = {"project"}

Edges = dict[tuple[str, str], set[str]]


def _imported_modules(tree: ast.AST) -> Iterable[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def import_edges(root: Path, apps: Iterable[str] = APPS) -> Edges:
    """(importer app, imported app) → the files of the importer that do it. Relative
    imports stay inside their package, so they make no edge."""
    apps = tuple(apps)
    edges: Edges = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for module in _imported_modules(tree):
                target = module.split(".")[0]
                if target in apps and target != app:
                    edges.setdefault((app, target), set()).add(str(path.relative_to(root)))
    return edges


def cycles(edges: Edges) -> list[list[str]]:
    """Every elementary cycle's apps, found by a depth-first search from each app."""
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
    found: set[tuple[str, ...]] = set()

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == path[0]:
                start = path.index(min(path))  # one rotation per cycle
                found.add(tuple(path[start:] + path[:start]))
            elif nxt not in path and nxt > path[0]:
                visit(nxt, [*path, nxt])

    for node in sorted(graph):
        visit(node, [node])
    return [list(cycle) for cycle in sorted(found)]


def violations(edges: Edges) -> list[str]:
    problems = []
    for (source, target), files in sorted(edges.items()):
        if source in ALLOWED and target not in ALLOWED[source]:
            problems.append(f"{source} may not import {target}: {sorted(files)}")
        if target in TOP and source not in TOP_IMPORTERS:
            problems.append(f"nothing but project imports {target}; {source} does: {sorted(files)}")
    problems += [f"import cycle: {' -> '.join([*c, c[0]])}" for c in cycles(edges)]
    return problems


@pytest.fixture(scope="module")
def edges() -> Edges:
    return import_edges(ROOT)


def test_the_graph_is_read(edges):
    """The reader sees the imports the layering is made of (else every rule passes)."""
    assert ("directory", "accounts") in edges
    assert ("moderation", "directory") in edges
    assert ("project", "tasks") in edges


def test_the_apps_import_only_downwards(edges):
    assert violations(edges) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for app in APPS:
        (tmp_path / app).mkdir(exist_ok=True)
    return tmp_path


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"accounts/models.py": "from directory.models import Studio\n"},
            "accounts may not import directory",
        ),
        (
            {"realtime/services.py": "def f():\n    import billing.models\n"},
            "realtime may not import billing",
        ),
        (
            {"directory/views.py": "from frontend.views import home\n"},
            "nothing but project imports frontend",
        ),
        (
            {
                "directory/a.py": "import moderation.services\n",
                "moderation/b.py": "from directory.models import Review\n",
            },
            "import cycle: directory -> moderation -> directory",
        ),
        (
            {
                "directory/a.py": "import billing\n",
                "billing/b.py": "import moderation\n",
                "moderation/c.py": "from directory import models\n",
            },
            "import cycle: billing -> moderation -> directory -> billing",
        ),
    ],
)
def test_each_rule_fails_when_broken(tmp_path, files, expected):
    problems = violations(import_edges(_tree(tmp_path, files)))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_relative_and_allowed_imports_break_no_rule(tmp_path):
    root = _tree(
        tmp_path,
        {
            "accounts/api.py": "from .models import User\nfrom common.errors import NotFound\n",
            "directory/models.py": "from accounts.models import User\n",
            "project/celery.py": "import tasks\n",
        },
    )
    assert violations(import_edges(root)) == []
