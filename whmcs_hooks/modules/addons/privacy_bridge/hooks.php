<?php
/**
 * The module's hook registrations; WHMCS loads this file on every page while the module is
 * active. Each hook is one call into lib/Hooks.php, which never throws into WHMCS.
 */

use WHMCS\Module\Addon\PrivacyBridge\Hooks;

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

add_hook('ClientAdd', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('ClientAdd', $vars); });
add_hook('ClientEdit', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('ClientEdit', $vars); });
add_hook('ClientClose', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('ClientClose', $vars); });
add_hook('PreDeleteClient', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('PreDeleteClient', $vars); });
add_hook('ClientDelete', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('ClientDelete', $vars); });
add_hook('ClientChangePassword', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('ClientChangePassword', $vars); });
add_hook('UserAdd', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('UserAdd', $vars); });
add_hook('UserEdit', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('UserEdit', $vars); });
add_hook('UserChangePassword', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('UserChangePassword', $vars); });
add_hook('UserLogin', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('UserLogin', $vars); });
add_hook('ContactAdd', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('ContactAdd', $vars); });
add_hook('ContactEdit', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('ContactEdit', $vars); });
add_hook('ContactDelete', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('ContactDelete', $vars); });
add_hook('CCUpdate', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('CCUpdate', $vars); });
add_hook('AfterClientMerge', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('AfterClientMerge', $vars); });
add_hook('DailyCronJob', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->event('DailyCronJob', $vars); });
add_hook('ClientDetailsValidation', 1, function ($vars = []) use ($privacyBridge) { return $privacyBridge->validation('ClientDetailsValidation', $vars); });
add_hook('ContactDetailsValidation', 1, function ($vars = []) use ($privacyBridge) { return $privacyBridge->validation('ContactDetailsValidation', $vars); });
add_hook('EmailPreSend', 1, function ($vars = []) use ($privacyBridge) { return $privacyBridge->email($vars); });
add_hook('AdminAreaClientSummaryPage', 1, function ($vars = []) use ($privacyBridge) { return $privacyBridge->panel('AdminAreaClientSummaryPage', $vars); });
add_hook('ClientAreaHomepage', 1, function ($vars = []) use ($privacyBridge) { return $privacyBridge->panel('ClientAreaHomepage', $vars); });
add_hook('ClientAreaHeaderOutput', 1, function ($vars = []) use ($privacyBridge) { return $privacyBridge->panel('ClientAreaHeaderOutput', $vars); });
add_hook('ClientAreaSecondaryNavbar', 1, function ($navbar = null) use ($privacyBridge) { $privacyBridge->accountMenu($navbar); });
add_hook('AfterCronJob', 1, function ($vars = []) use ($privacyBridge) { $privacyBridge->cron(); });
if (class_exists('WHMCS\Module\Addon\PrivacyBridge\Console\Widget')) {
    add_hook('AdminHomeWidgets', 1, function () { return new \WHMCS\Module\Addon\PrivacyBridge\Console\Widget(); });
}
