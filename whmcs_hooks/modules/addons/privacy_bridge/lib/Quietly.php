<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** A best-effort read: its failure must not stop the hook. */
final class Quietly
{
    /**
     * @param mixed $fallback
     * @return mixed what $read returns, or $fallback when it throws
     */
    public static function read(callable $read, $fallback)
    {
        try {
            return $read();
        } catch (\Throwable $e) {
            return $fallback;
        }
    }
}
