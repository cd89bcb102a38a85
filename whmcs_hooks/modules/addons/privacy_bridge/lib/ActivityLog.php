<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

use WHMCS\Database\Capsule;

/** Lines in WHMCS's activity log. Never given secrets or personal values by its callers. */
final class ActivityLog
{
    const NOT_CONFIGURED_MARK = 'PrivacyBridgeModuleNotConfiguredLogged';

    /** @var Clock */
    private $clock;

    public function __construct(Clock $clock)
    {
        $this->clock = $clock;
    }

    public function log(string $message): void
    {
        try {
            if (function_exists('logActivity')) {
                logActivity('Privacy bridge: ' . $message);
            }
        } catch (\Throwable $e) {
            // Logging must not be the reason a page fails.
        }
    }

    /** True the first time it is asked on a given UTC day (kept in tblconfiguration). */
    public function firstTimeToday(): bool
    {
        $today = gmdate('Y-m-d', $this->clock->now());
        if (class_exists('WHMCS\Config\Setting')) {
            if (\WHMCS\Config\Setting::getValue(self::NOT_CONFIGURED_MARK) === $today) {
                return false;
            }
            \WHMCS\Config\Setting::setValue(self::NOT_CONFIGURED_MARK, $today);
            return true;
        }
        if (Capsule::table('tblconfiguration')->where('setting', self::NOT_CONFIGURED_MARK)->value('value') === $today) {
            return false;
        }
        $values = ['value' => $today];
        if (Capsule::schema()->hasColumn('tblconfiguration', 'updated_at')) {
            $values['created_at'] = $values['updated_at'] = gmdate('Y-m-d H:i:s', $this->clock->now());
        }
        Capsule::table('tblconfiguration')->updateOrInsert(['setting' => self::NOT_CONFIGURED_MARK], $values);
        return true;
    }

    /** An exception as its class, and for a database error its SQLSTATE: never SQL nor values. */
    public static function describe(\Throwable $e): string
    {
        for ($cause = $e; $cause !== null; $cause = $cause->getPrevious()) {
            if ($cause instanceof \PDOException) {
                return get_class($e) . ', SQLSTATE ' . self::sqlState($cause);
            }
        }
        return get_class($e) . ': ' . substr($e->getMessage(), 0, 300);
    }

    private static function sqlState(\PDOException $e): string
    {
        $info = $e->errorInfo;
        $state = is_array($info) && isset($info[0]) ? $info[0] : $e->getCode();
        return is_string($state) && preg_match('/^[0-9A-Z]{5}$/', $state) ? $state : 'unknown';
    }
}
