"""The layout shows the architecture: packages by role, imports one way, no cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "bot.core.engine",
        "bot.core.matcher",
        "bot.core.safety",
        "bot.core.compose",
        "bot.content.validate",
        "bot.insight.evaluate",
        "bot.console",
    ],
)
def test_core_modules_load_no_transport(module: str) -> None:
    """Importing the core must not pull in telegram, sqlite or an HTTP client."""
    code = (
        f"import sys, {module}; "
        "heavy = ('telegram', 'aiosqlite', 'sqlite3', 'httpx', 'tornado'); "
        "bad = [m for m in heavy if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# The roles, lowest first. A module may import its own package and any lower layer, never a
# higher one; packages on the same layer stay apart (content and state know nothing of each
# other, nor do console and telegram; semantic, the optional re-ranker's model, sits beside them).
LAYERS: dict[str, int] = {
    "core": 0,
    "content": 1,
    "state": 1,
    "semantic": 1,
    "insight": 2,
    "session": 3,
    "console": 4,
    "telegram": 4,
    "scripts": 5,
    "cli": 6,
    "__main__": 7,
}
BOT = Path(__file__).resolve().parent.parent / "bot"
MAX_LINES = 320  # "about 300": a module past this is doing two jobs


def _module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _role(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "bot"


def _imports() -> dict[str, set[str]]:
    """Every bot module and the bot modules it imports (at any depth in the file)."""
    names = {_module_name(p) for p in BOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in BOT.rglob("*.py"):
        module = _module_name(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                found.add(base)
                found.update(f"{base}.{a.name}" for a in node.names)
        graph[module] = {n for n in found if n in names and n != module}
    return graph


class TestLayout:
    def test_every_module_belongs_to_a_role(self) -> None:
        """A newcomer can place every module: each lives in a package named for its role."""
        strays = [m for m in _imports() if m != "bot" and _role(m) not in LAYERS]
        assert strays == []

    def test_imports_flow_one_way(self) -> None:
        """core <- content/state <- insight <- session <- console/telegram <- scripts <- cli."""
        wrong = []
        for module, targets in _imports().items():
            if module == "bot":
                continue
            for target in targets:
                mine, theirs = _role(module), _role(target)
                if target == "bot" or mine == theirs:
                    continue
                if LAYERS[theirs] >= LAYERS[mine]:
                    wrong.append(f"{module} -> {target}")
        assert sorted(wrong) == []

    def test_no_import_cycles(self) -> None:
        """No module imports itself back through others (store and sqlite_store included)."""
        graph = _imports()
        state: dict[str, int] = {}  # 1 visiting, 2 done
        cycles: list[str] = []

        def visit(node: str, trail: list[str]) -> None:
            state[node] = 1
            for nxt in sorted(graph.get(node, ())):
                if state.get(nxt) == 1:
                    cycles.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
                elif nxt not in state:
                    visit(nxt, [*trail, nxt])
            state[node] = 2

        for node in sorted(graph):
            if node not in state:
                visit(node, [node])
        assert cycles == []

    def test_modules_stay_small(self) -> None:
        """A module over about 300 lines is doing two jobs; split it by job."""
        long = {
            str(p.relative_to(BOT.parent)): n
            for p in BOT.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        }
        assert long == {}
