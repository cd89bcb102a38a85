<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

use WHMCS\Database\Capsule;

/** The module's rows of tbladdonmodules (module, setting, value), read once per request. */
final class SettingsStore
{
    const MODULE = 'privacy_bridge';
    const TABLE = 'tbladdonmodules';

    /** @var array<string, string>|null */
    private $values = null;

    /** @return array<string, string> setting => value; throws when the table cannot be read */
    public function values(): array
    {
        if ($this->values === null) {
            $rows = Capsule::table(self::TABLE)->where('module', self::MODULE)->get(['setting', 'value']);
            $values = [];
            foreach ($rows as $row) {
                $values[(string) $row->setting] = self::plain((string) $row->setting, (string) $row->value);
            }
            $this->values = $values;
        }
        return $this->values;
    }

    /** Writes settings (an import), leaving every other row of the module as it is. */
    public function save(array $values): void
    {
        foreach ($values as $setting => $value) {
            Capsule::table(self::TABLE)->updateOrInsert(
                ['module' => self::MODULE, 'setting' => (string) $setting],
                ['value' => (string) $value]
            );
        }
        $this->values = null;
    }

    /**
     * A password field's value as typed. Should WHMCS hand back an encrypted value, its own
     * decrypt() gives the text; a value that already reads as a secret is used as it is.
     */
    private static function plain(string $setting, string $value): string
    {
        if ($setting !== 'webhook_secret' || $value === ''
            || strpos($value, 'whsec_') === 0 || !function_exists('decrypt')) {
            return $value;
        }
        $decrypted = decrypt($value);
        return is_string($decrypted) && $decrypted !== '' ? $decrypted : $value;
    }
}
