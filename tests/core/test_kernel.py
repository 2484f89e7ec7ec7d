"""Rule 2 of the house: core is the kernel and imports no app (docs/developers.md, "Kernel"). Parsed, not
imported, so a lazy import inside a function counts too; migrations may name apps."""

import ast
from pathlib import Path

import pytest

import zhanggui

ROOT = Path(zhanggui.__file__).parent
CORE = ROOT / "core"


def app_imports(source: str, module: str) -> list[str]:
    """The zhanggui modules outside core that `source` (the module named `module`) imports."""
    package = module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            # `from zhanggui import shops` imports the app itself
            names = [f"{base}.{alias.name}" for alias in node.names] if base == "zhanggui" else [base]
        else:
            continue
        found += [n for n in names if n.startswith("zhanggui.") and not n.startswith("zhanggui.core")]
    return found


def core_modules():
    for path in sorted(CORE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(ROOT.parent).with_suffix("")
        yield path, ".".join(relative.parts)


def test_core_imports_no_app():
    offenders = {
        module: imports
        for path, module in core_modules()
        if (imports := app_imports(path.read_text(encoding="utf-8"), module))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        "from zhanggui.shops.models import Shop",
        "import zhanggui.orders.selectors",
        "def f():\n    from zhanggui.team import services",
        "from zhanggui import crm",
        "from ..shops.models import Shop",
    ],
)
def test_the_check_sees_every_way_of_importing_an_app(source):
    assert app_imports(source, "zhanggui.core.access")


def test_the_check_allows_core_and_outside_libraries():
    source = "from . import clock\nfrom .models import Event\nfrom zhanggui.core import money\nimport django\n"
    assert app_imports(source, "zhanggui.core.access") == []
    assert app_imports("from ..money import format_fen", "zhanggui.core.templatetags.zg") == []
