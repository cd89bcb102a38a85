<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

use WHMCS\Module\Addon\PrivacyBridge\LegacyInstall;

/** The staff console behind privacy_bridge_output($vars): picks the page from ?action=, runs a
 * POSTed action only with a valid CSRF token, and answers the page's HTML. Nothing it meets
 * (bridge down, missing table, bad input) reaches the admin as a PHP error. */
class Bootstrap
{
    const PAGES = ['queue' => 'Pending ID checks', 'client' => 'Client privacy', 'retention' => 'Retention',
        'ledger' => 'Ledger', 'outbox' => 'Outbox', 'settings' => 'Settings check'];

    public function run(array $vars): string
    {
        $settings = new Settings($vars);
        $view = new View($settings->moduleLink(), (new Csrf())->token());
        return Guard::run(function () use ($settings, $view) {
            return $this->page($settings, $view);
        }, function () use ($view) {
            return $view->notice('danger', 'The privacy console could not show this page.');
        });
    }

    private function page(Settings $settings, View $view): string
    {
        $admin = ActingAdmin::fromSession($settings);
        if ($admin === null) {
            return $view->notice('danger', 'No admin session.');
        }
        $action = isset($_GET['action']) && is_string($_GET['action']) && isset(self::PAGES[$_GET['action']])
            ? $_GET['action'] : 'queue';
        $page = $this->build($action, $settings, $view, $admin);
        $notice = $this->leftovers($view) . $this->act($page, $view);
        $request = array_merge($_POST ? array_intersect_key($_POST, ['client_id' => 1]) : [], $_GET);
        return $view->render('layout', ['pages' => self::PAGES, 'action' => $action, 'notice' => $notice,
            'body' => $page->show($request), 'admin' => $admin]);
    }

    /** Every page names the files of an older loose-hook install still to delete (section 11). */
    private function leftovers(View $view): string
    {
        $notice = LegacyInstall::create()->notice();
        return $notice === '' ? '' : $view->notice('warning', $notice);
    }

    /** A POST acts only with WHMCS's CSRF token; a GET never acts. */
    private function act(Page $page, View $view): string
    {
        $method = isset($_SERVER['REQUEST_METHOD']) ? strtoupper((string) $_SERVER['REQUEST_METHOD']) : 'GET';
        if ($method !== 'POST') {
            return '';
        }
        if (!(new Csrf())->valid()) {
            return $view->notice('danger', 'The form expired or did not come from this console (CSRF token check failed). Nothing was changed.');
        }
        $do = isset($_POST['do']) && is_string($_POST['do']) ? $_POST['do'] : '';
        return $page->act($do, $_POST);
    }

    private function build(string $action, Settings $settings, View $view, ActingAdmin $admin): Page
    {
        $bridge = new BridgeClient($settings, $admin);
        switch ($action) {
            case 'client':
                return new ClientPage($bridge, $view, $admin);
            case 'retention':
                return new RetentionPage($bridge, $view, $admin);
            case 'ledger':
                return new LedgerPage($bridge, $view, $admin);
            case 'outbox':
                return new OutboxPage($bridge, $view, $admin, new Outbox());
            case 'settings':
                return new SettingsPage($bridge, $view, $admin, $settings);
            default:
                return new QueuePage($bridge, $view, $admin);
        }
    }
}
