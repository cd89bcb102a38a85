<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** The AdminHomeWidgets widget: pending ID checks, dead outbox rows, purges due within 30 days and
 * the last ledger verification, each linking to its console page. */
class Widget extends \WHMCS\Module\AbstractWidget
{
    const LINK = 'addonmodules.php?module=privacy_bridge';

    protected $title = 'Privacy bridge';
    protected $description = 'ID checks, outbox, purges due and ledger verification';
    protected $weight = 150;
    protected $columns = 1;
    protected $cache = false;
    protected $cacheExpiry = 120;
    protected $requiredPermission = '';

    public function getData()
    {
        return Guard::run(function () {
            return $this->collect();
        }, function () {
            return ['failed' => true];
        });
    }

    public function generateOutput($data)
    {
        $view = new View(self::LINK, '');
        return Guard::run(function () use ($view, $data) {
            return $view->render('widget', is_array($data) ? $data : ['failed' => true]);
        }, function () use ($view) {
            return $view->render('widget', ['failed' => true]);
        });
    }

    private function collect(): array
    {
        $settings = Settings::fromDatabase();
        $admin = ActingAdmin::fromSession($settings) ?: new ActingAdmin('', 'auditor');
        $bridge = new BridgeClient($settings, $admin);
        $pending = $bridge->get('/v1/verifications', ['status' => 'pending']);
        $plan = $bridge->get('/v1/retention/plan', ['as_of' => gmdate('Y-m-d', time() + 30 * 86400)]);
        $status = $bridge->get('/v1/ledger/status');
        $outbox = new Outbox();
        return [
            'down' => $pending->unreachable() && $plan->unreachable(),
            'pending' => self::count($pending, 'items'),
            'due' => self::count($plan, 'due'),
            'dead' => $outbox->exists() ? $outbox->deadCount() : null,
            'verify' => $status->ok() && array_key_exists('last_verify', (array) $status->data)
                ? $status->data['last_verify'] : false,
            'forbidden' => $pending->forbidden() || $plan->forbidden(),
        ];
    }

    /** The length of a list in the answer, or null when the bridge did not give it. */
    private static function count(BridgeReply $reply, string $key): ?int
    {
        return $reply->ok() && isset($reply->data[$key]) && is_array($reply->data[$key]) ? count($reply->data[$key]) : null;
    }
}
