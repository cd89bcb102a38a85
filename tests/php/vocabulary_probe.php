<?php
/**
 * Loads the module the way WHMCS does (lib/ autoloaded, then hooks.php) with add_hook recording
 * the hook names, and prints as JSON: Vocabulary's constants, the lists of Payload and WhmcsData
 * built from them, and the hooks registered. Usage: php vocabulary_probe.php <module dir>
 */

define('WHMCS', true);
$lib = $argv[1] . '/lib/';
spl_autoload_register(function ($class) use ($lib) {
    $prefix = 'WHMCS\\Module\\Addon\\PrivacyBridge\\';
    // the admin widget needs WHMCS's own AbstractWidget: left out, as hooks.php allows
    if (strpos($class, $prefix) === 0 && strpos($class, $prefix . 'Console\\') !== 0) {
        $file = $lib . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
$registered = [];
function add_hook($hookPoint, $priority, $callable)
{
    $GLOBALS['registered'][] = $hookPoint;
}
include $argv[1] . '/hooks.php';

use WHMCS\Module\Addon\PrivacyBridge\Payload;
use WHMCS\Module\Addon\PrivacyBridge\Vocabulary;
use WHMCS\Module\Addon\PrivacyBridge\WhmcsData;

echo json_encode([
    'vocabulary' => (new ReflectionClass(Vocabulary::class))->getConstants(),
    'payload' => (new ReflectionClass(Payload::class))->getConstants(),
    'whmcs_data' => (new ReflectionClass(WhmcsData::class))->getConstants(),
    'hooks' => $registered,
]), "\n";
