<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** The module settings the console needs, read once from what WHMCS passes (or tbladdonmodules). */
class Settings
{
    /** @var array */
    private $values;

    public function __construct(array $values)
    {
        $this->values = $values;
    }

    /** The module's row set in tbladdonmodules: what the dashboard widget has instead of $vars. */
    public static function fromDatabase(): self
    {
        $rows = \WHMCS\Database\Capsule::table('tbladdonmodules')
            ->where('module', 'privacy_bridge')->pluck('value', 'setting');
        $values = [];
        foreach ($rows as $setting => $value) {
            $values[$setting] = $value;
        }
        return new self($values);
    }

    public function get(string $key, string $default = ''): string
    {
        $value = isset($this->values[$key]) ? $this->values[$key] : $default;
        return is_scalar($value) ? trim((string) $value) : $default;
    }

    public function bridgeUrl(): string
    {
        return rtrim($this->get('bridge_url'), '/');
    }

    public function millis(string $key, int $default): int
    {
        $value = (int) $this->get($key, (string) $default);
        return $value > 0 ? min($value, 30000) : $default;
    }

    /** Role names from a comma list, trimmed and lower-cased. */
    public function roleList(string $key): array
    {
        $names = array_map('trim', explode(',', strtolower($this->get($key))));
        return array_values(array_filter($names, 'strlen'));
    }

    public function moduleLink(): string
    {
        return $this->get('modulelink', 'addonmodules.php?module=privacy_bridge');
    }
}
