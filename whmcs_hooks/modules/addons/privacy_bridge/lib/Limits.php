<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/**
 * Keeps every request within what the bridge accepts (contract 10): each string value is cut to
 * 64 KiB, and a body still over 1 MiB loses its largest values. Every path cut or dropped is
 * listed, dotted and relative to vars, in the envelope's "truncated". Pure.
 */
final class Limits
{
    const MAX_STRING = 65536;
    const MAX_BODY = 1048576;

    /**
     * @param callable $encode (vars, truncated paths) -> the body exactly as it will be sent
     * @return array{0: array, 1: string[]} the vars that fit, and the paths cut or dropped
     */
    public static function fit(array $vars, callable $encode): array
    {
        $truncated = [];
        $vars = self::cutAll($vars, '', $truncated);
        $over = strlen($encode($vars, $truncated)) - self::MAX_BODY;
        $saved = 0;
        foreach ($over > 0 ? self::leavesBySize($vars) : [] as $path => $size) {
            $vars = self::without($vars, explode("\0", (string) $path));
            $dotted = str_replace("\0", '.', (string) $path);
            if (!in_array($dotted, $truncated, true)) {
                $truncated[] = $dotted;
            }
            $saved += $size;
            if ($saved >= $over) { // the estimate says it fits: measure again
                $over = strlen($encode($vars, $truncated)) - self::MAX_BODY;
                $saved = 0;
                if ($over <= 0) {
                    break;
                }
            }
        }
        return [$vars, $truncated];
    }

    private static function cutAll(array $values, string $prefix, array &$truncated): array
    {
        foreach ($values as $key => $value) {
            if (is_array($value)) {
                $values[$key] = self::cutAll($value, $prefix . $key . '.', $truncated);
            } elseif (is_string($value) && strlen($value) > intdiv(self::MAX_STRING, 3)) {
                $cut = self::cut($value);
                if ($cut !== null) {
                    $values[$key] = $cut;
                    $truncated[] = $prefix . $key;
                }
            }
        }
        return $values;
    }

    /** The first MAX_STRING bytes of the UTF-8 the bridge will read, cut between characters; null if it fits. */
    private static function cut(string $value): ?string
    {
        if (preg_match('//u', $value) !== 1) {
            // json_encode will send each invalid byte as U+FFFD (3 bytes): count what is sent.
            $value = (string) json_decode(Json::encode($value));
        }
        if (strlen($value) <= self::MAX_STRING) {
            return null;
        }
        $end = self::MAX_STRING;
        while ($end > 0 && (ord($value[$end]) & 0xC0) === 0x80) {
            $end--; // a continuation byte: the character started earlier
        }
        return substr($value, 0, $end);
    }

    /** @return array<string, int> "\0"-joined path of every scalar => its share of the body, largest first */
    private static function leavesBySize(array $values, string $prefix = ''): array
    {
        $sizes = [];
        foreach ($values as $key => $value) {
            $path = $prefix . $key;
            if (is_array($value)) {
                $sizes += self::leavesBySize($value, $path . "\0");
            } else {
                $sizes[$path] = strlen(Json::encode((string) $key)) + strlen(Json::encode($value)) + 2;
            }
        }
        if ($prefix === '') {
            arsort($sizes, SORT_NUMERIC);
        }
        return $sizes;
    }

    private static function without(array $values, array $path): array
    {
        $key = array_shift($path);
        if (!array_key_exists($key, $values)) {
            return $values;
        }
        if ($path && is_array($values[$key])) {
            $values[$key] = self::without($values[$key], $path);
        } elseif (!$path) {
            unset($values[$key]);
        }
        return $values;
    }
}
