<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** The module's settings, validated: built only from values that make a usable configuration. */
final class Settings
{
    const DEFAULTS = [
        'connect_timeout_ms' => 1000, 'timeout_ms' => 2000, 'validate_timeout_ms' => 1500, 'max_attempts' => 20,
    ];

    /** @var string */
    public $url;
    /** @var string[] raw HMAC keys, the first one is the current secret */
    public $keys;
    /** @var int */
    public $connectTimeoutMs;
    /** @var int */
    public $timeoutMs;
    /** @var int */
    public $validateTimeoutMs;
    /** @var bool */
    public $failOpen;
    /** @var int */
    public $maxAttempts;

    /**
     * @param array<string, mixed> $raw setting => value, as tbladdonmodules stores them
     * @return array{0: ?Settings, 1: string} the settings, or null and why they are unusable (no values)
     */
    public static function fromValues(array $raw): array
    {
        if (self::text($raw, 'bridge_url') === '' && self::text($raw, 'webhook_secret') === '') {
            return [null, 'bridge_url and webhook_secret are not set'];
        }
        $url = rtrim(self::text($raw, 'bridge_url'), '/');
        if (!self::isAllowedUrl($url)) {
            return [null, 'bridge_url must be an https:// URL (http:// only for a loopback address)'];
        }
        $keys = self::decodeSecrets(self::text($raw, 'webhook_secret'));
        if (!$keys) {
            return [null, 'webhook_secret must be "whsec_" followed by base64'];
        }
        $settings = new self();
        $settings->url = $url;
        $settings->keys = $keys;
        $settings->connectTimeoutMs = self::positiveInt($raw, 'connect_timeout_ms');
        $settings->timeoutMs = self::positiveInt($raw, 'timeout_ms');
        $settings->validateTimeoutMs = self::positiveInt($raw, 'validate_timeout_ms');
        $settings->maxAttempts = self::positiveInt($raw, 'max_attempts');
        $settings->failOpen = self::yes($raw, 'fail_open', true);
        return [$settings, ''];
    }

    public static function isAllowedUrl(string $url): bool
    {
        $parts = parse_url($url);
        if (!is_array($parts) || !isset($parts['scheme'], $parts['host']) || isset($parts['user'])) {
            return false;
        }
        $scheme = strtolower($parts['scheme']);
        if ($scheme === 'https') {
            return true;
        }
        return $scheme === 'http' && self::isLoopback($parts['host']);
    }

    /** A WHMCS "yesno" field: "on" when ticked, "" when not; absent means the default. */
    public static function yes(array $raw, string $name, bool $default): bool
    {
        if (!array_key_exists($name, $raw) || $raw[$name] === null) {
            return $default;
        }
        return in_array(strtolower(trim((string) $raw[$name])), ['on', 'yes', '1', 'true'], true);
    }

    private static function isLoopback(string $host): bool
    {
        $host = strtolower(trim($host, '[]'));
        if ($host === 'localhost' || $host === '::1') {
            return true;
        }
        return filter_var($host, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) !== false
            && strpos($host, '127.') === 0;
    }

    private static function decodeSecrets(string $value): array
    {
        $keys = [];
        foreach (explode(',', $value) as $secret) {
            $secret = trim($secret);
            if (strpos($secret, 'whsec_') !== 0) {
                return [];
            }
            $key = base64_decode(substr($secret, 6), true);
            if ($key === false || $key === '') {
                return [];
            }
            $keys[] = $key;
        }
        return $keys;
    }

    private static function text(array $raw, string $name): string
    {
        return isset($raw[$name]) && is_scalar($raw[$name]) ? trim((string) $raw[$name]) : '';
    }

    private static function positiveInt(array $raw, string $name): int
    {
        $value = isset($raw[$name]) ? filter_var($raw[$name], FILTER_VALIDATE_INT) : false;
        return is_int($value) && $value > 0 ? $value : self::DEFAULTS[$name];
    }
}
