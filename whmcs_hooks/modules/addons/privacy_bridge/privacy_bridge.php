<?php
/**
 * WHMCS Privacy Bridge addon module: copy this folder to modules/addons/ and activate it under
 * System Settings > Addon Modules. Its hooks (hooks.php) forward client, contact and user events
 * to the bridge through a durable outbox table, ask the bridge before profile changes and
 * marketing mail, and show the bridge's panels. The classes live in lib/ (autoloaded by WHMCS).
 * Compatible with PHP 7.4 to 8.x (WHMCS 8.x).
 */

use WHMCS\Module\Addon\PrivacyBridge\Installer;
use WHMCS\Module\Addon\PrivacyBridge\PrivacyPage;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

function privacy_bridge_config()
{
    return [
        'name' => 'Privacy Bridge',
        'description' => 'Records client, contact and user changes in the privacy bridge ledger and asks it'
            . ' before protected profile changes and marketing mail.',
        'version' => '2.0',
        'author' => 'WHMCS Privacy Bridge',
        'language' => 'english',
        'fields' => [
            'bridge_url' => ['FriendlyName' => 'Bridge URL', 'Type' => 'text', 'Size' => '60', 'Default' => '',
                'Description' => 'Base URL of the bridge; https:// unless it runs on a loopback address.'],
            'webhook_secret' => ['FriendlyName' => 'Webhook secret', 'Type' => 'password', 'Size' => '60',
                'Description' => 'The bridge\'s BRIDGE_WEBHOOK_SECRET (whsec_...). During a rotation: new,old.'],
            'console_token' => ['FriendlyName' => 'Console token', 'Type' => 'password', 'Size' => '60',
                'Description' => 'Staff token for the console: bridge token create --console --name whmcs --role dpo'],
            'connect_timeout_ms' => ['FriendlyName' => 'Connect timeout (ms)', 'Type' => 'text', 'Size' => '6',
                'Default' => '1000', 'Description' => 'Longest wait for a connection to the bridge.'],
            'timeout_ms' => ['FriendlyName' => 'Event timeout (ms)', 'Type' => 'text', 'Size' => '6',
                'Default' => '2000', 'Description' => 'Immediate delivery gives up after this; cron retries later.'],
            'validate_timeout_ms' => ['FriendlyName' => 'Validation timeout (ms)', 'Type' => 'text', 'Size' => '6',
                'Default' => '1500', 'Description' => 'Profile forms, EmailPreSend and panels wait at most this long.'],
            'fail_open' => ['FriendlyName' => 'Fail open', 'Type' => 'yesno', 'Default' => 'yes',
                'Description' => 'When the bridge cannot be reached, let profile changes through (checked afterwards).'],
            'max_attempts' => ['FriendlyName' => 'Delivery attempts', 'Type' => 'text', 'Size' => '4',
                'Default' => '20', 'Description' => 'Attempts (exponential backoff, at most 6 hours apart) before an event is dead.'],
            'agent_roles' => ['FriendlyName' => 'Agent roles', 'Type' => 'text', 'Size' => '60', 'Default' => '',
                'Description' => 'Comma list of WHMCS admin role names that act as agent in the console.'],
            'dpo_roles' => ['FriendlyName' => 'DPO roles', 'Type' => 'text', 'Size' => '60',
                'Default' => 'Full Administrator', 'Description' => 'Comma list of WHMCS admin role names that act as dpo.'],
        ],
    ];
}

function privacy_bridge_activate()
{
    return Installer::create()->activate();
}

function privacy_bridge_deactivate()
{
    return Installer::create()->deactivate();
}

function privacy_bridge_upgrade($vars)
{
    return Installer::create()->upgrade(is_array($vars) ? $vars : []);
}

function privacy_bridge_output($vars)
{
    echo (new \WHMCS\Module\Addon\PrivacyBridge\Console\Bootstrap())->run($vars);
}

function privacy_bridge_clientarea($vars)
{
    $page = PrivacyPage::respond($vars);
    if (isset($page['download'])) {
        PrivacyPage::send($page['download']);
        exit;
    }
    return $page;
}
