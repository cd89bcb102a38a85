<?php
/**
 * The module's hook registrations; WHMCS loads this file on every page while the module is
 * active. Each hook is one call into lib/Hooks.php, which never throws into WHMCS.
 */

use WHMCS\Module\Addon\PrivacyBridge\Hooks;
use WHMCS\Module\Addon\PrivacyBridge\Vocabulary;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}
// Included twice (a stray copy), the hooks are still registered once (contract 10).
if (defined('PRIVACY_BRIDGE_MODULE_HOOKS')) {
    return;
}
define('PRIVACY_BRIDGE_MODULE_HOOKS', __FILE__);
// The include guard of the loose hook file: loaded after this, it registers nothing.
if (!defined('PRIVACY_BRIDGE_HOOKS_FILE')) {
    define('PRIVACY_BRIDGE_HOOKS_FILE', __FILE__);
}

$privacyBridge = Hooks::create();

// The hook names come from Vocabulary, generated from the bridge's vocabulary (docs/vocabulary.md).
foreach (Vocabulary::HANDLED_EVENTS as $privacyBridgeHook) {
    add_hook($privacyBridgeHook, 1, function ($vars = []) use ($privacyBridge, $privacyBridgeHook) { $privacyBridge->event($privacyBridgeHook, $vars); });
}
foreach ([Vocabulary::CLIENT_VALIDATION_EVENT, Vocabulary::CONTACT_VALIDATION_EVENT] as $privacyBridgeHook) {
    add_hook($privacyBridgeHook, 1, function ($vars = []) use ($privacyBridge, $privacyBridgeHook) { return $privacyBridge->validation($privacyBridgeHook, $vars); });
}
add_hook(Vocabulary::EMAIL_EVENT, 1, function ($vars = []) use ($privacyBridge) { return $privacyBridge->email($vars); });
foreach (Vocabulary::PANEL_HOOKS as $privacyBridgeHook) {
    add_hook($privacyBridgeHook, 1, function ($vars = []) use ($privacyBridge, $privacyBridgeHook) { return $privacyBridge->panel($privacyBridgeHook, $vars); });
}
unset($privacyBridgeHook);
add_hook('ClientAreaSecondaryNavbar', 1, function ($navbar = null) use ($privacyBridge) { $privacyBridge->accountMenu($navbar); });
add_hook(Vocabulary::WORK_EVENT, 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->cron(); });
if (class_exists('WHMCS\Module\Addon\PrivacyBridge\Console\Widget')) {
    add_hook('AdminHomeWidgets', 1, function () { return new \WHMCS\Module\Addon\PrivacyBridge\Console\Widget(); });
}
