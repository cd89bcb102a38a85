<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

use WHMCS\Database\Capsule;

/** The logged-in WHMCS admin and the bridge role they act with. */
class ActingAdmin
{
    const ROLES = ['auditor', 'agent', 'dpo'];

    /** @var string */
    public $username;
    /** @var string */
    public $role;

    public function __construct(string $username, string $role)
    {
        $this->username = $username;
        $this->role = in_array($role, self::ROLES, true) ? $role : 'auditor';
    }

    /** From the admin session and tbladmins/tbladminroles; nobody logged in acts as nobody. */
    public static function fromSession(Settings $settings): ?self
    {
        $adminId = isset($_SESSION['adminid']) ? (int) $_SESSION['adminid'] : 0;
        if ($adminId <= 0) {
            return null;
        }
        $admin = Capsule::table('tbladmins')->where('id', $adminId)->first();
        if ($admin === null) {
            return null;
        }
        $role = Capsule::table('tbladminroles')->where('id', $admin->roleid)->value('name');
        return new self((string) $admin->username, self::mapRole((string) $role, $settings));
    }

    /** dpo_roles wins over agent_roles; a role in neither list reads as auditor. */
    public static function mapRole(string $whmcsRole, Settings $settings): string
    {
        $name = strtolower(trim($whmcsRole));
        if ($name !== '' && in_array($name, $settings->roleList('dpo_roles'), true)) {
            return 'dpo';
        }
        if ($name !== '' && in_array($name, $settings->roleList('agent_roles'), true)) {
            return 'agent';
        }
        return 'auditor';
    }

    public function mayAct(string $needed): bool
    {
        return array_search($this->role, self::ROLES, true) >= array_search($needed, self::ROLES, true);
    }
}
