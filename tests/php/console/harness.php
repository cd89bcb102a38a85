<?php
/*
 * One WHMCS admin request to the staff console (or the dashboard widget) under php-cli.
 * Usage: php harness.php scenario.json; prints {"html": ..., "errors": [...]}.
 * Scenario keys: database (SQLite file), seed {table: [rows]}, mode (output|widget), vars (what
 * WHMCS passes to _output), method, get, post, session, rootdir (WHMCS's ROOTDIR).
 */

define('WHMCS', true);
error_reporting(E_ALL);
ini_set('display_errors', '0');
$GLOBALS['HARNESS_ERRORS'] = [];
set_error_handler(function ($level, $message, $file, $line) {
    $GLOBALS['HARNESS_ERRORS'][] = sprintf('PHP error %d: %s at %s:%d', $level, $message, $file, $line);
    return true;
});

$scenario = json_decode(file_get_contents($argv[1]), true);
if (!empty($scenario['rootdir'])) {
    define('ROOTDIR', $scenario['rootdir']);  // the WHMCS root, where an older install may linger
}

require 'Illuminate/Database/autoload.php';
require __DIR__ . '/stubs.php';

$module = dirname(__DIR__, 3) . '/whmcs_hooks/modules/addons/privacy_bridge';
spl_autoload_register(function ($class) use ($module) {
    $prefix = 'WHMCS\\Module\\Addon\\PrivacyBridge\\';
    if (strpos($class, $prefix) === 0) {
        $file = $module . '/lib/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});

$scenario = json_decode(file_get_contents($argv[1]), true) + [
    'seed' => [], 'mode' => 'output', 'vars' => [], 'method' => 'GET', 'get' => [], 'post' => [], 'session' => [],
];
console_database($scenario['database'], $scenario['seed']);
$_SERVER['REQUEST_METHOD'] = $scenario['method'];
$_GET = $scenario['get'];
$_POST = $scenario['post'];
$_REQUEST = array_merge($_GET, $_POST);
$_SESSION = $scenario['session'];

ob_start();
if ($scenario['mode'] === 'widget') {
    $widget = new WHMCS\Module\Addon\PrivacyBridge\Console\Widget();
    $meta = ['title' => $widget->getTitle(), 'columns' => $widget->getColumnSize(), 'weight' => $widget->getWeight()];
    echo $widget->render();
} else {
    $meta = [];
    echo (new WHMCS\Module\Addon\PrivacyBridge\Console\Bootstrap())->run($scenario['vars']);
}
$html = ob_get_clean();
echo json_encode(['html' => $html, 'meta' => $meta, 'errors' => $GLOBALS['HARNESS_ERRORS'],
    'session' => $_SESSION], JSON_UNESCAPED_SLASHES | JSON_PARTIAL_OUTPUT_ON_ERROR);

function console_database($path, array $seed)
{
    if (!is_file($path)) {
        touch($path);
    }
    $capsule = new Illuminate\Database\Capsule\Manager();
    $capsule->addConnection(['driver' => 'sqlite', 'database' => $path, 'prefix' => '']);
    $capsule->setAsGlobal();
    class_alias('Illuminate\Database\Capsule\Manager', 'WHMCS\Database\Capsule');
    $schema = Illuminate\Database\Capsule\Manager::schema();
    $tables = [
        'tbladmins' => function ($t) {
            $t->increments('id');
            $t->string('username');
            $t->integer('roleid');
        },
        'tbladminroles' => function ($t) {
            $t->increments('id');
            $t->string('name');
        },
        'tbladdonmodules' => function ($t) {
            $t->string('module');
            $t->string('setting');
            $t->text('value');
        },
        'mod_privacy_bridge_outbox' => function ($t) {
            $t->increments('id');
            $t->string('webhook_id');
            $t->string('event');
            $t->text('payload');
            $t->integer('attempts')->default(0);
            $t->dateTime('next_attempt_at')->nullable();
            $t->dateTime('delivered_at')->nullable();
            $t->dateTime('dead_at')->nullable();
            $t->text('last_error')->nullable();
            $t->dateTime('created_at')->nullable();
        },
        'mod_privacy_bridge_erasures' => function ($t) {
            $t->increments('id');
            $t->string('order_id');
            $t->integer('client_id');
            $t->string('strategy');
            $t->text('counts')->nullable();
            $t->text('skipped')->nullable();
            $t->dateTime('started_at');
            $t->dateTime('finished_at')->nullable();
            $t->dateTime('reported_at')->nullable();
            $t->integer('outbox_id')->nullable();
        },
    ];
    foreach ($tables as $name => $definition) {
        if (!$schema->hasTable($name)) {
            $schema->create($name, $definition);
        }
    }
    foreach ($seed as $table => $rows) {
        foreach ($rows as $row) {
            Illuminate\Database\Capsule\Manager::table($table)->insert($row);
        }
    }
}
