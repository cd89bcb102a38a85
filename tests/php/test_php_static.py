"""The module files parse, stay within PHP 7.4, and are harmless when opened directly."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.php.whmcs_harness import HERE, MODULE_DIR

pytestmark = pytest.mark.php

CHECKER = HERE / "php74_check.php"
MODULE_FILES = sorted(MODULE_DIR.rglob("*.php"))
ENTRY_FILES = [MODULE_DIR / "privacy_bridge.php", MODULE_DIR / "hooks.php", MODULE_DIR / "lang" / "english.php"]
PHP_FILES = MODULE_FILES + sorted(HERE.glob("*.php"))

NEWER_THAN_74 = {
    "match": "$a = match ($x) { 1 => 2, default => 3 };",
    "nullsafe": "$b = $order?->client;",
    "attribute": "#[Pure]\nfunction f() {}",
    "union param": "function f(int|string $x) {}",
    "union return": "function f(): int|false {}",
    "mixed param": "function f(mixed $x) {}",
    "mixed property": "class A { public mixed $m; }",
    "never": "function f(): never { exit; }",
    "static return": "class A { function f(): static {} }",
    "promotion": "class A { function __construct(private int $x) {} }",
    "named argument": "htmlspecialchars($s, double_encode: false);",
    "throw expression": "$x = $y ?? throw new Exception();",
    "throw in arrow fn": "$f = fn () => throw new Exception();",
    "str_contains": "if (str_contains($a, 'b')) {}",
    "str_starts_with": "if (\\str_starts_with($a, 'b')) {}",
    "str_ends_with": "if (str_ends_with($a, 'b')) {}",
    "get_debug_type": "echo get_debug_type($a);",
    "array_is_list": "array_is_list([]);",
    "first-class callable": "$f = strlen(...);",
    "object ::class": "echo $o::class;",
    "catch without variable": "try {} catch (Exception) {}",
    "trailing comma params": "function f($a, $b,) {}",
    "trailing comma use": "$f = function () use ($a, $b,) {};",
    "octal 0o": "$x = 0o17;",
    "enum": "enum Suit { case Hearts; }",
    "readonly": "class A { public readonly int $x; }",
    "intersection": "function f(A&B $x) {}",
    "new ValueError": "throw new ValueError('x');",
    "catch ValueError": "try {} catch (\\ValueError $e) {}",
    "Stringable": "class A implements Stringable { function __toString() { return ''; } }",
}
FINE_IN_74 = """<?php
namespace A;
final class B {
    const X = ['a' => 1];
    private ?int $id = null;
    public static function f(?string $s = null, int ...$rest): ?array {
        $g = fn ($x) => $x * 2;
        $h = function ($y) use ($s): string { return (string) $y; };
        $arr = [...$rest, 1];
        $s ??= 'x';
        try { throw new \\RuntimeException('x'); } catch (\\Throwable $e) {}
        switch ($s) { case 'x': return null; }
        $bits = $id & 3 | $id & $id;
        $ref = function &(array &$x, &...$more) { return $x; };
        $t = $s ? 'a' : 'b';
        return [$g(1), $h(2), $arr, $t, self::X, strpos($s, 'x') === 0, \\array_map('strval', [1])];
    }
}
"""


def run_php(php: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([php, *args], input=stdin, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("path", PHP_FILES, ids=lambda p: p.name)
def test_php_lint(php, path: Path):
    result = run_php(php, "-l", str(path))

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", PHP_FILES, ids=lambda p: p.name)
def test_uses_nothing_newer_than_php_74(php, path: Path):
    result = run_php(php, str(CHECKER), str(path))

    assert result.returncode == 0, result.stdout


class TestChecker:
    @pytest.mark.parametrize("snippet", NEWER_THAN_74.values(), ids=list(NEWER_THAN_74))
    def test_flags(self, php, tmp_path, snippet):
        source = tmp_path / "newer.php"
        source.write_text("<?php\n" + snippet + "\n")

        result = run_php(php, str(CHECKER), str(source))

        assert result.returncode == 1 and "newer.php:" in result.stdout

    def test_accepts_php_74_code(self, php, tmp_path):
        source = tmp_path / "fine.php"
        source.write_text(FINE_IN_74)

        result = run_php(php, str(CHECKER), str(source))

        assert result.returncode == 0, result.stdout


class TestHarmlessWhenIncluded:
    @pytest.mark.parametrize("path", ENTRY_FILES, ids=lambda p: p.name)
    def test_entry_files_refuse_direct_access(self, php, path):
        result = run_php(php, str(path))

        assert result.stdout == "This file cannot be accessed directly" and result.returncode == 0

    @pytest.mark.parametrize("path", sorted((MODULE_DIR / "lib").glob("*.php")), ids=lambda p: p.name)
    def test_lib_files_declare_one_class_of_the_module_namespace(self, php, path):
        """Contract 11: lib/ holds one class per file under WHMCS\\Module\\Addon\\PrivacyBridge (PSR-4)."""
        code = path.read_text()

        assert "namespace WHMCS\\Module\\Addon\\PrivacyBridge;" in code
        assert code.count("\nfinal class ") + code.count("\ninterface ") == 1
        assert f" {path.stem}" in code.split("\n{", 1)[0].splitlines()[-1]
        assert run_php(php, str(path)).stdout == ""
