<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** Settings check: bridge reachable and ready (with its WHMCS API credential), webhook secret and
 * console token accepted. Every check only reads; none shows a secret. */
class SettingsPage extends Page
{
    /** @var Settings */
    private $settings;

    public function __construct(BridgeClient $bridge, View $view, ActingAdmin $admin, Settings $settings)
    {
        parent::__construct($bridge, $view, $admin);
        $this->settings = $settings;
    }

    public function show(array $get): string
    {
        $ready = $this->bridge->raw('GET', '/readyz', null, []);
        $checks = [
            $this->reachable(),
            self::check('Bridge database', $ready->status === 200, self::readyDetail($ready, 'database')),
            self::check("Bridge's WHMCS API credential", self::whmcsOk($ready), self::readyDetail($ready, 'whmcs')),
            $this->secretCheck(),
            $this->tokenCheck(),
        ];
        return $this->view->render('settings', ['checks' => $checks, 'url' => $this->settings->bridgeUrl()]);
    }

    protected function actions(): array
    {
        return [];
    }

    private function reachable(): array
    {
        $reply = $this->bridge->raw('GET', '/healthz', null, []);
        $detail = $reply->status === 0 ? 'no answer (connection refused, timeout or no bridge_url)' : 'HTTP ' . $reply->status;
        return self::check('Bridge reachable', $reply->status === 200, $detail);
    }

    /** A signed panel call: 401 is the one answer that means the secrets differ. */
    private function secretCheck(): array
    {
        $body = json_encode(['event' => 'ClientAreaHomepage', 'occurred_at' => gmdate('Y-m-d\TH:i:s\Z'),
            'whmcs' => ['version' => 'console-check'], 'actor' => ['type' => 'system'], 'vars' => ['userid' => 1]]);
        $headers = Signer::headers($this->settings->get('webhook_secret'), $body, time());
        if ($headers === null) {
            return self::check('Webhook secret', false, 'not set, or not a whsec_ value');
        }
        $reply = $this->bridge->raw('POST', '/v1/hooks/whmcs/panel', $body, $headers);
        if ($reply->unreachable()) {
            return self::check('Webhook secret', false, 'could not be checked: the bridge is not reachable');
        }
        return self::check('Webhook secret', $reply->status !== 401,
            $reply->status === 401 ? 'the bridge rejects the signature: the secrets differ' : 'accepted');
    }

    private function tokenCheck(): array
    {
        $reply = $this->bridge->get('/v1/retention/plan');
        $details = [0 => 'could not be checked: the bridge is not reachable', 401 => 'invalid or revoked',
            400 => 'not a console token: create it with bridge token create --console'];
        $detail = isset($details[$reply->status]) ? $details[$reply->status] : 'HTTP ' . $reply->status;
        return self::check('Console token', $reply->ok(), $reply->ok() ? 'accepted' : $detail);
    }

    private static function check(string $name, bool $ok, string $detail): array
    {
        return ['name' => $name, 'ok' => $ok, 'detail' => $detail];
    }

    private static function whmcsOk(BridgeReply $ready): bool
    {
        return isset($ready->data['checks']['whmcs']['ok']) && $ready->data['checks']['whmcs']['ok'] === true;
    }

    private static function readyDetail(BridgeReply $ready, string $key): string
    {
        if (!isset($ready->data['checks'][$key])) {
            return $ready->status === 0 ? 'no answer' : 'not reported';
        }
        $check = $ready->data['checks'][$key];
        if (is_array($check)) {
            return isset($check['detail']) && is_string($check['detail']) ? $check['detail'] : (!empty($check['ok']) ? 'ok' : 'failing');
        }
        return is_string($check) ? $check : 'not reported';
    }
}
