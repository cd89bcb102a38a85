<?php
/*
 * Reports syntax and library calls newer than PHP 7.4, using the running PHP's tokenizer.
 *
 * Usage: php php74_check.php FILE...   Prints "file:line: problem" lines; exit 1 when any.
 *
 * It knows: match, nullsafe ?->, attributes #[...], enums, readonly, named arguments, union and
 * intersection types, mixed/never/static/null/false types, constructor promotion, throw as an
 * expression, first-class callables f(...), $object::class, catch without a variable, trailing
 * commas in parameter and closure-use lists, 0o octals, and functions/classes added after 7.4.
 */

const PB_NEW_FUNCTIONS = [
    'str_contains', 'str_starts_with', 'str_ends_with', 'get_debug_type', 'get_resource_id',
    'fdiv', 'preg_last_error_msg', 'array_is_list', 'enum_exists', 'fsync', 'fdatasync',
    'memory_reset_peak_usage', 'ini_parse_quantity', 'mysqli_execute_query', 'json_validate',
    'mb_str_pad', 'str_increment', 'str_decrement', 'array_find', 'array_find_key', 'array_any',
    'array_all', 'mb_trim', 'mb_ltrim', 'mb_rtrim', 'mb_ucfirst', 'mb_lcfirst', 'array_first',
    'array_last', 'curl_upkeep', 'openssl_cipher_key_length', 'sodium_crypto_stream_xchacha20_xor_ic',
];
const PB_NEW_CLASSES = [
    'stringable', 'weakmap', 'valueerror', 'unhandledmatcherror', 'phptoken', 'attribute',
    'returntypewillchange', 'allowdynamicproperties', 'sensitiveparameter', 'fiber', 'fibererror',
    'unitenum', 'backedenum', 'override', 'deprecated', 'random\\randomizer', 'curlstringfile',
];
const PB_NEW_TYPES = ['mixed', 'never', 'null', 'false', 'true'];

/** @return string[] problems as "line: text" */
function pb_check_source(string $source): array
{
    $tokens = array_values(array_filter(token_get_all($source), function ($t) {
        return !is_array($t) || !in_array($t[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true);
    }));
    $problems = [];
    $line = 1;
    $report = function ($what) use (&$problems, &$line) {
        $problems[] = $line . ': ' . $what;
    };
    $ids = pb_token_ids();
    $count = count($tokens);
    for ($i = 0; $i < $count; $i++) {
        $t = $tokens[$i];
        $id = is_array($t) ? $t[0] : $t;
        $text = is_array($t) ? $t[1] : $t;
        if (is_array($t)) {
            $line = $t[2];
        }
        $prev = $i > 0 ? $tokens[$i - 1] : null;
        $prevId = is_array($prev) ? $prev[0] : $prev;
        $next = $i + 1 < $count ? $tokens[$i + 1] : null;
        $nextId = is_array($next) ? $next[0] : $next;

        foreach (['T_MATCH' => 'match expression', 'T_NULLSAFE_OBJECT_OPERATOR' => 'nullsafe operator ?->',
                     'T_ATTRIBUTE' => 'attribute #[...]', 'T_ENUM' => 'enum', 'T_READONLY' => 'readonly']
                 as $name => $what) {
            if (isset($ids[$name]) && $id === $ids[$name]) {
                $report($what);
            }
        }
        if ($id === T_LNUMBER && preg_match('/^0[oO]/', $text)) {
            $report('0o octal literal');
        }
        if ($id === T_THROW && !in_array($prevId, [';', '{', '}', ')', ':', T_ELSE, T_OPEN_TAG, null], true)) {
            $report('throw used as an expression');
        }
        if ($id === '(' && $nextId === T_ELLIPSIS && pb_id($tokens, $i + 2) === ')') {
            $report('first-class callable syntax f(...)');
        }
        if ($id === T_VARIABLE && $nextId === T_DOUBLE_COLON && pb_id($tokens, $i + 2) === T_CLASS) {
            $report('$object::class');
        }
        if ($id === T_CATCH) {
            $j = pb_matching($tokens, $i + 1);
            if (pb_id($tokens, $j - 1) !== T_VARIABLE) {
                $report('catch without a variable');
            }
        }
        if (($id === '(' || $id === ',') && pb_is_name($next) && pb_id($tokens, $i + 2) === ':'
            && !in_array($prevId, [T_FUNCTION, T_FN], true)) {
            $report('named argument');
        }
        if (pb_is_name($t) && $nextId === '(' && !in_array($prevId, [T_OBJECT_OPERATOR, T_DOUBLE_COLON, T_FUNCTION, T_NEW, T_CONST], true)
            && in_array(strtolower(ltrim($text, '\\')), PB_NEW_FUNCTIONS, true)) {
            $report('function newer than PHP 7.4: ' . $text . '()');
        }
        if (pb_is_name($t) && in_array(strtolower(ltrim($text, '\\')), PB_NEW_CLASSES, true)
            && in_array($prevId, [T_NEW, T_INSTANCEOF, T_EXTENDS, T_IMPLEMENTS, '(', '|', T_USE], true)) {
            $report('class newer than PHP 7.4: ' . $text);
        }
        if (in_array($id, [T_PUBLIC, T_PROTECTED, T_PRIVATE, T_VAR], true)) {
            pb_check_property_type($tokens, $i, $report);
        }
        if ($id === T_FUNCTION || (defined('T_FN') && $id === T_FN)) {
            $i = pb_check_signature($tokens, $i, $report, $line);
        }
    }
    return $problems;
}

/** Parameters and return type of the function starting at $i; returns the index to go on from. */
function pb_check_signature(array $tokens, int $i, callable $report, int &$line): int
{
    $j = $i + 1;
    if (pb_is_ampersand(pb_id($tokens, $j))) {
        $j++;
    }
    $name = pb_is_name(isset($tokens[$j]) ? $tokens[$j] : null) ? strtolower($tokens[$j][1]) : '';
    if ($name !== '') {
        $j++;
    }
    if (pb_id($tokens, $j) !== '(') {
        return $i;
    }
    $close = pb_matching($tokens, $j);
    $depth = 0;
    $inDefault = false;
    for ($k = $j + 1; $k < $close; $k++) {
        $id = pb_id($tokens, $k);
        if (is_array($tokens[$k])) {
            $line = $tokens[$k][2];
        }
        if (in_array($id, ['(', '[', '{'], true)) {
            $depth++;
        } elseif (in_array($id, [')', ']', '}'], true)) {
            $depth--;
        }
        if ($depth > 0) {
            continue;
        }
        if ($id === ',') {
            $inDefault = false;
            if (pb_id($tokens, $k + 1) === ')') {
                $report('trailing comma in a parameter list');
            }
            continue;
        }
        if ($id === '=') {
            $inDefault = true;
        }
        if ($inDefault) {
            continue;
        }
        if ($id === '|') {
            $report('union type');
        }
        if (pb_is_ampersand($id) && !in_array(pb_id($tokens, $k + 1), [T_VARIABLE, T_ELLIPSIS], true)) {
            $report('intersection type');
        }
        if (in_array($id, [T_PUBLIC, T_PROTECTED, T_PRIVATE], true)) {
            $report('constructor property promotion');
        }
        if (pb_is_name($tokens[$k]) && in_array(strtolower($tokens[$k][1]), PB_NEW_TYPES, true)) {
            $report('type newer than PHP 7.4: ' . $tokens[$k][1]);
        }
    }
    $k = $close + 1;
    if (pb_id($tokens, $k) === T_USE) {
        $useClose = pb_matching($tokens, $k + 1);
        if (pb_id($tokens, $useClose - 1) === ',') {
            $report('trailing comma in a closure use list');
        }
        $k = $useClose + 1;
    }
    if (pb_id($tokens, $k) === ':') {
        for ($k++; $k < count($tokens) && !in_array(pb_id($tokens, $k), ['{', ';', T_DOUBLE_ARROW], true); $k++) {
            $id = pb_id($tokens, $k);
            if ($id === '|') {
                $report('union return type');
            }
            if ($id === T_STATIC) {
                $report('static return type');
            }
            if (pb_is_name($tokens[$k]) && in_array(strtolower($tokens[$k][1]), PB_NEW_TYPES, true)) {
                $report('return type newer than PHP 7.4: ' . $tokens[$k][1]);
            }
        }
    }
    return $close;
}

/** The type of a property declaration (typed properties are 7.4, but not every type). */
function pb_check_property_type(array $tokens, int $i, callable $report): void
{
    for ($k = $i + 1; $k < count($tokens); $k++) {
        $id = pb_id($tokens, $k);
        if (in_array($id, [T_VARIABLE, T_FUNCTION, T_CONST, ';', '=', '('], true)) {
            return;
        }
        if ($id === '|') {
            $report('union property type');
        }
        if (pb_is_name($tokens[$k]) && in_array(strtolower($tokens[$k][1]), PB_NEW_TYPES, true)) {
            $report('property type newer than PHP 7.4: ' . $tokens[$k][1]);
        }
    }
}

/** '&' is one of two tokens since PHP 8.1, a plain character before. */
function pb_is_ampersand($id): bool
{
    foreach (['T_AMPERSAND_FOLLOWED_BY_VAR_OR_VARARG', 'T_AMPERSAND_NOT_FOLLOWED_BY_VAR_OR_VARARG'] as $name) {
        if (defined($name) && $id === constant($name)) {
            return true;
        }
    }
    return $id === '&';
}

function pb_token_ids(): array
{
    $ids = [];
    foreach (['T_MATCH', 'T_NULLSAFE_OBJECT_OPERATOR', 'T_ATTRIBUTE', 'T_ENUM', 'T_READONLY'] as $name) {
        if (defined($name)) {
            $ids[$name] = constant($name);
        }
    }
    return $ids;
}

function pb_id(array $tokens, int $i)
{
    if (!isset($tokens[$i])) {
        return null;
    }
    return is_array($tokens[$i]) ? $tokens[$i][0] : $tokens[$i];
}

function pb_is_name($token): bool
{
    if (!is_array($token)) {
        return false;
    }
    $names = [T_STRING];
    foreach (['T_NAME_QUALIFIED', 'T_NAME_FULLY_QUALIFIED', 'T_NAME_RELATIVE'] as $name) {
        if (defined($name)) {
            $names[] = constant($name);
        }
    }
    return in_array($token[0], $names, true);
}

/** Index of the bracket closing the one at $open (or $open itself when it is no bracket). */
function pb_matching(array $tokens, int $open): int
{
    $pairs = ['(' => ')', '[' => ']', '{' => '}'];
    $first = pb_id($tokens, $open);
    if (!isset($pairs[$first])) {
        return $open;
    }
    $depth = 0;
    for ($i = $open; $i < count($tokens); $i++) {
        $id = pb_id($tokens, $i);
        if (in_array($id, ['(', '[', '{', T_CURLY_OPEN, T_DOLLAR_OPEN_CURLY_BRACES], true)) {
            $depth++;
        } elseif (in_array($id, [')', ']', '}'], true)) {
            $depth--;
            if ($depth === 0) {
                return $i;
            }
        }
    }
    return count($tokens) - 1;
}

if (PHP_SAPI === 'cli' && isset($argv) && realpath($argv[0]) === __FILE__) {
    $failed = false;
    foreach (array_slice($argv, 1) as $file) {
        foreach (pb_check_source((string) file_get_contents($file)) as $problem) {
            fwrite(STDOUT, $file . ':' . $problem . PHP_EOL);
            $failed = true;
        }
    }
    exit($failed ? 1 : 0);
}
