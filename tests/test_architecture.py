"""The package's import graph has no cycle, counting imports inside functions.

Every module of ``surveylab/`` is parsed (never imported) and every ``import`` statement in it is
read: at module level, inside functions and methods, under ``if``/``try``. The edges are the
modules named: ``import a.b`` depends on ``a.b``; ``from a import b`` on ``a.b`` when that is a
module (a file or a package) and on ``a`` otherwise; relative imports are resolved against the
importing module's package. As in import-linter, the packages above a module named are not
edges (``import a.b`` runs ``a/__init__.py`` too, but every module would then depend on the root
package). Imports under ``if TYPE_CHECKING:`` count: they do not run, but the module still
depends on what they name (its annotations do), as import-linter counts them.

A cycle is reported as the chain of modules that closes it, e.g.
``surveylab.a -> surveylab.b -> surveylab.a``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "surveylab"


def module_name(path: Path, root: Path = PACKAGE) -> str:
    """The dotted name of the module in ``path`` (a package's ``__init__.py`` is the package)."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package under ``root``: dotted name -> file."""
    return {module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement in ``tree``, at any depth."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def _base_of(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The absolute module a ``from ... import`` reads from (relative levels resolved)."""
    if not node.level:
        return node.module or ""
    package = importer.split(".") if is_package else importer.split(".")[:-1]
    if node.level > 1:
        package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, node.module] if node.module else package)


def dependencies(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of ``modules`` that the module ``name`` (in ``path``) imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _imports(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = _base_of(node, name, is_package)
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            found.add(sub if sub in modules else base)
    return {m for m in found if m in modules and m != name}


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (see the module docstring for the rules)."""
    modules = package_modules(root)
    return {name: dependencies(name, path, modules) for name, path in modules.items()}


def tangles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of ``graph`` with more than one module, or of one
    module importing itself: the sets of modules that import each other, directly or not.
    Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    components.append(component)
    return components


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One closed cycle through each of :func:`tangles`, e.g. ``[a, b, a]``."""
    return sorted(_cycle_in(graph, c) for c in tangles(graph))


def _cycle_in(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """One closed path through ``component`` starting at its first module (breadth first)."""
    start = min(component)
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node] & component):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover - a component has one


# ---------------------------------------------------------------------- the rules themselves
def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": "def f():\n    import pkg.a\n",
        },
    )
    assert find_cycles(import_graph(pkg)) == [["pkg.a", "pkg.b", "pkg.a"]]


def test_relative_and_submodule_imports_are_resolved(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path,
        {
            "pkg/__init__.py": "from .sub import thing\n",
            "pkg/sub/__init__.py": "thing = 1\n",
            "pkg/sub/leaf.py": "from .. import sub\nfrom ..sub import other\n",
            "pkg/sub/other.py": "class C:\n    def m(self):\n        from . import leaf\n",
            "pkg/top.py": "from pkg.sub import leaf, thing\n",
        },
    )
    graph = import_graph(pkg)
    assert graph["pkg"] == {"pkg.sub"}  # thing is a name, not a module
    assert graph["pkg.sub.leaf"] == {"pkg.sub", "pkg.sub.other"}
    assert graph["pkg.sub.other"] == {"pkg.sub.leaf"}
    assert graph["pkg.top"] == {"pkg.sub", "pkg.sub.leaf"}
    assert find_cycles(graph) == [["pkg.sub.leaf", "pkg.sub.other", "pkg.sub.leaf"]]


def test_type_checking_imports_are_edges(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\n",
            "pkg/b.py": "import typing\nif typing.TYPE_CHECKING:\n    from pkg.a import X\n",
        },
    )
    graph = import_graph(pkg)
    assert graph["pkg.b"] == {"pkg.a"}
    assert find_cycles(graph) == [["pkg.a", "pkg.b", "pkg.a"]]


def test_a_longer_cycle_is_printed_as_its_chain(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\n",
            "pkg/b.py": "try:\n    import pkg.c\nexcept ImportError:\n    pass\n",
            "pkg/c.py": "def f():\n    from pkg import a\n",
            "pkg/d.py": "import pkg.a\n",
        },
    )
    assert find_cycles(import_graph(pkg)) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]


# ---------------------------------------------------------------------- the package
def test_the_graph_sees_the_whole_package() -> None:
    graph = import_graph()
    assert len(graph) > 50
    assert "surveylab.session" in graph and "surveylab.cli" in graph
    # imported inside a function only
    assert "surveylab.reports.render" in graph["surveylab.cli.reports"]


def test_surveylab_has_no_import_cycle() -> None:
    graph = import_graph()
    cycles = sorted(_cycle_in(graph, c) for c in tangles(graph))
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)
