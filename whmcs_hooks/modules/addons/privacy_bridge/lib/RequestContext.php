<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** Who is acting and from where: WHMCS passes no actor to hooks (contract 3.1). */
final class RequestContext
{
    public function actor(): array
    {
        $ip = $this->remoteIp();
        if ($this->isApiRequest()) {
            $actor = ['type' => 'api', 'id' => $this->apiIdentifier()];
            if ($actor['id'] === null) {
                $actor['id'] = 'unknown'; // the bridge needs a name to attribute an API change
            }
            if (isset($_POST[Vocabulary::CHANGE_ID]) && is_scalar($_POST[Vocabulary::CHANGE_ID])) {
                $actor['change_id'] = (string) $_POST[Vocabulary::CHANGE_ID];
            }
            return $this->withIp($actor, $ip);
        }
        if ($this->isCron()) {
            return ['type' => 'cron', 'id' => null];
        }
        $who = $this->currentUser();
        if ($who['admin'] !== null && (defined('ADMINAREA') || $who['masquerading'])) {
            $actor = ['type' => 'admin', 'id' => $who['admin']];
            if ($who['masquerading']) {
                $actor['masquerading'] = true;
                $actor['user_id'] = $who['user'];
            }
            return $this->withIp($actor, $ip);
        }
        if ($who['client'] !== null || $who['user'] !== null) {
            $actor = ['type' => 'client', 'id' => $who['client'], 'user_id' => $who['user']];
            if ($who['masquerading']) {
                $actor['masquerading'] = true; // the admin behind it is unknown
            }
            return $this->withIp($actor, $ip);
        }
        if ($who['admin'] !== null) {
            return $this->withIp(['type' => 'admin', 'id' => $who['admin']], $ip);
        }
        return $this->withIp(['type' => 'system', 'id' => null], $ip);
    }

    /** The active client account of a client-area request, or null. */
    public function clientId(): ?int
    {
        $who = $this->currentUser();
        return $who['client'];
    }

    public function isAdminArea(): bool
    {
        return defined('ADMINAREA');
    }

    public function script(): string
    {
        foreach (['SCRIPT_NAME', 'PHP_SELF', 'SCRIPT_FILENAME'] as $key) {
            if (!empty($_SERVER[$key]) && is_string($_SERVER[$key])) {
                return basename($_SERVER[$key]);
            }
        }
        return '';
    }

    private function isApiRequest(): bool
    {
        return $this->script() === 'api.php';
    }

    private function isCron(): bool
    {
        return (PHP_SAPI === 'cli' && !isset($_SERVER['REQUEST_METHOD'])) || $this->script() === 'cron.php';
    }

    private function apiIdentifier(): ?string
    {
        foreach (['identifier', 'username'] as $key) {
            if (isset($_POST[$key]) && is_string($_POST[$key]) && $_POST[$key] !== '') {
                return $_POST[$key];
            }
        }
        return null;
    }

    /** @return array{admin: ?int, user: ?int, client: ?int, masquerading: bool} */
    private function currentUser(): array
    {
        $who = ['admin' => null, 'user' => null, 'client' => null, 'masquerading' => false];
        if (class_exists('WHMCS\Authentication\CurrentUser')) {
            $current = new \WHMCS\Authentication\CurrentUser();
            $who['admin'] = $this->idOf($current->admin());
            $who['user'] = $this->idOf($current->user());
            $who['client'] = $this->idOf($current->client());
            $who['masquerading'] = (bool) $current->isMasqueradingAdmin();
        }
        // Sessions of WHMCS before 8.0 (and some custom pages) only have the legacy keys.
        if ($who['admin'] === null && isset($_SESSION['adminid']) && (int) $_SESSION['adminid'] > 0) {
            $who['admin'] = (int) $_SESSION['adminid'];
        }
        if ($who['client'] === null && isset($_SESSION['uid']) && (int) $_SESSION['uid'] > 0) {
            $who['client'] = (int) $_SESSION['uid'];
        }
        return $who;
    }

    /** @param mixed $model */
    private function idOf($model): ?int
    {
        return is_object($model) && isset($model->id) ? (int) $model->id : null;
    }

    private function remoteIp(): ?string
    {
        $ip = null;
        if (class_exists('App') && is_callable(['App', 'getRemoteIp'])) {
            $ip = \App::getRemoteIp();
        }
        if (!is_string($ip) || filter_var($ip, FILTER_VALIDATE_IP) === false) {
            $ip = isset($_SERVER['REMOTE_ADDR']) && is_string($_SERVER['REMOTE_ADDR']) ? $_SERVER['REMOTE_ADDR'] : null;
        }
        return $ip !== null && filter_var($ip, FILTER_VALIDATE_IP) !== false ? $ip : null;
    }

    private function withIp(array $actor, ?string $ip): array
    {
        if ($ip !== null) {
            $actor['ip'] = $ip;
        }
        return $actor;
    }
}
