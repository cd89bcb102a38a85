<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

use WHMCS\Database\Capsule;

/**
 * An older install's loose hook file in includes/hooks/. Activation imports its settings once
 * and retires its settings file (renamed with a leading "_", which WHMCS does not load as a
 * hook file): without settings the loose file sends nothing, whatever order WHMCS loads hook
 * files in. hooks.php also defines the loose file's include guard, which stops the current loose
 * file outright when the module's hooks load first.
 */
final class LegacyInstall
{
    const HOOK_FILE = 'includes/hooks/privacy_bridge.php';
    const CONFIG_FILE = 'includes/hooks/privacy_bridge.config.php';
    const RETIRED_CONFIG = 'includes/hooks/_privacy_bridge.config.imported.php';
    const EXAMPLE_FILE = 'includes/hooks/privacy_bridge.config.example.php';
    const IMPORTED_MARK = 'PrivacyBridgeLegacyImported';
    const IMPORTED = [
        'bridge_url', 'webhook_secret', 'connect_timeout_ms', 'timeout_ms', 'validate_timeout_ms', 'max_attempts',
    ];

    /** @var string */
    private $root;
    /** @var SettingsStore */
    private $store;
    /** @var Lang */
    private $lang;

    public function __construct(string $root, SettingsStore $store, Lang $lang)
    {
        $this->root = rtrim($root, '/\\');
        $this->store = $store;
        $this->lang = $lang;
    }

    /** The WHMCS root: ROOTDIR in WHMCS, else three folders above the module's folder. */
    public static function create(): self
    {
        $root = defined('ROOTDIR') ? (string) constant('ROOTDIR') : dirname(__DIR__, 4);
        return new self($root, new SettingsStore(), new Lang());
    }

    /** @return string[] absolute paths of the older install's files still present */
    public function leftovers(): array
    {
        $found = [];
        foreach ([self::HOOK_FILE, self::CONFIG_FILE, self::RETIRED_CONFIG, self::EXAMPLE_FILE] as $file) {
            if (is_file($this->path($file))) {
                $found[] = $this->path($file);
            }
        }
        return $found;
    }

    /** One sentence naming the old files to delete, or '' when none is left. */
    public function notice(): string
    {
        $files = array_map(function ($path) {
            return substr($path, strlen($this->root) + 1);
        }, $this->leftovers());
        return $files ? sprintf($this->lang->get('leftovers'), implode(', ', $files)) : '';
    }

    /** Imports the loose file's settings the first time; true when it did. */
    public function import(): bool
    {
        $file = $this->path(self::CONFIG_FILE);
        if (!is_file($file) || $this->alreadyImported()) {
            return false;
        }
        $raw = self::read($file);
        if ($raw === null) {
            return false;
        }
        $this->store->save(self::settingsOf($raw));
        Capsule::table('tblconfiguration')->updateOrInsert(['setting' => self::IMPORTED_MARK], ['value' => gmdate('Y-m-d')]);
        if (is_writable(dirname($file)) && !is_file($this->path(self::RETIRED_CONFIG))) {
            rename($file, $this->path(self::RETIRED_CONFIG)); // when it cannot, hooks.php's guard still holds
        }
        return true;
    }

    private function alreadyImported(): bool
    {
        return Capsule::table('tblconfiguration')->where('setting', self::IMPORTED_MARK)->exists();
    }

    /** @return array|null what the settings file returns, when it is an array */
    private static function read(string $file): ?array
    {
        try {
            $raw = include $file;
        } catch (\Throwable $e) {
            return null;
        }
        return is_array($raw) ? $raw : null;
    }

    /** The loose file's values as module settings ("yesno" is "on" or ""). */
    private static function settingsOf(array $raw): array
    {
        $values = [];
        foreach (self::IMPORTED as $name) {
            if (isset($raw[$name]) && is_scalar($raw[$name])) {
                $values[$name] = (string) $raw[$name];
            }
        }
        if (array_key_exists('fail_open', $raw)) {
            $values['fail_open'] = $raw['fail_open'] ? 'on' : '';
        }
        return $values;
    }

    private function path(string $relative): string
    {
        return $this->root . '/' . $relative;
    }
}
