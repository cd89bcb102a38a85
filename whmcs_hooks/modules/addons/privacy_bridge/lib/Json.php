<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** JSON exactly as it is sent, and fresh webhook ids. Pure functions, no state. */
final class Json
{
    public static function encode($value): string
    {
        $json = json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE);
        if (!is_string($json)) {
            throw new \RuntimeException('could not encode the payload as JSON');
        }
        return $json;
    }

    /** A JSON object as an array; null for anything else (a list, a scalar, not JSON). */
    public static function object(string $body): ?array
    {
        $decoded = json_decode($body);
        return is_object($decoded) ? json_decode($body, true) : null;
    }

    public static function newId(): string
    {
        return 'msg_' . bin2hex(random_bytes(16));
    }
}
