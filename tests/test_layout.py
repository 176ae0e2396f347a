"""The house: the import graph of runsync's modules (imports at module level, TYPE_CHECKING ones aside) has no
cycle, and no library module imports the CLI (runsync.cli, runsync.commands): commands call the library, never
the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "runsync"
UPPER = ("runsync.cli", "runsync.commands", "runsync.__main__")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, *, everywhere: bool) -> set[str]:
    """The runsync modules `path` imports: at module level only, or (`everywhere`) also inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = ast.walk(tree) if everywhere else _module_level(tree.body)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("runsync")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("runsync") and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def _module_level(body: list[ast.stmt]):  # noqa: ANN202
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.If | ast.Try):
            yield from _module_level(node.body)
            yield from _module_level(getattr(node, "orelse", []))
            for handler in getattr(node, "handlers", []):
                yield from _module_level(handler.body)
        else:
            yield node


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def test_no_library_module_imports_the_cli() -> None:
    upward = {}
    for name, path in modules().items():
        if name.startswith(UPPER):
            continue
        bad = {m for m in imported(path, everywhere=True) if m.startswith(UPPER)}
        if bad:
            upward[name] = sorted(bad)
    assert upward == {}


def test_the_module_level_import_graph_has_no_cycle() -> None:
    known = modules()
    graph = {name: {m for m in imported(path, everywhere=False) if m in known and m != name}
             for name, path in known.items()}  # fmt: skip
    for name in graph:  # a package's __init__ runs before its modules: importing a.b imports a
        parents = {".".join(m.split(".")[:i]) for m in graph[name] for i in range(1, m.count(".") + 1)}
        graph[name] |= {p for p in parents if p in known and p != name and not name.startswith(p + ".")}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_no_module_is_over_the_style_ceiling_of_400_lines() -> None:
    files = [*PACKAGE.rglob("*.py"), *(PACKAGE.parent / "plugins").glob("*.py")]
    lengths = {str(p.relative_to(PACKAGE.parent)): len(p.read_text(encoding="utf-8").splitlines()) for p in files}
    assert {name: n for name, n in lengths.items() if n > 400} == {}


def test_the_report_names_no_rule_it_builds_with() -> None:
    """Built-in rules reach the report through Rule.report_section, as a third-party rule does."""
    rule_ids = {"interval-sessions", "mileage-ramp", "missing-easy-days", "training-monotony"}
    named = {name: sorted(r for r in rule_ids if f'"{r}"' in path.read_text(encoding="utf-8"))
             for name, path in modules().items() if name.startswith("runsync.report")}  # fmt: skip
    assert {k: v for k, v in named.items() if v} == {}


def test_every_package_is_in_the_wheel() -> None:
    """pyproject lists the packages: a new folder left out would install without its modules."""
    import tomllib

    listed = set(tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
                 ["packages"])  # fmt: skip
    found = {module_name(p) for p in PACKAGE.rglob("__init__.py")} | {"runsync_plugins"}
    assert found == listed
