<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** The module's strings (lang/english.php), for code that WHMCS hands no "_lang" to. */
final class Lang
{
    /** @var array<string, string>|null */
    private $strings = null;

    public function get(string $key): string
    {
        if ($this->strings === null) {
            $this->strings = self::load(dirname(__DIR__) . '/lang/english.php');
        }
        return isset($this->strings[$key]) ? $this->strings[$key] : $key;
    }

    private static function load(string $file): array
    {
        $_ADDONLANG = [];
        include $file;
        return $_ADDONLANG;
    }
}
