<?php
/*
 * Fires one WHMCS hook of the privacy bridge addon module the way WHMCS would, then prints
 * {"results": [...], "activity": [...], "errors": [...]} as JSON on stdout.
 *
 * Usage: php harness.php < scenario.json   (or: php harness.php scenario.json)
 * Scenario keys: root (the WHMCS root, ROOTDIR), hook_files (included in order, as WHMCS loads
 * includes/hooks/ and the active modules' hooks.php), database (SQLite file), hook, vars, area,
 * server, get, post, session (merged into the superglobals; a null value unsets a key),
 * current_user {admin, user, client, masquerading}, app_ip (null: no App class), config_globals
 * ($CONFIG), seed {table: [rows]}, drop_tables [names] (dropped after seeding), include_again
 * [files] (included after hook_files, as WHMCS would a stray copy), module_settings (null, or the
 * module's tbladdonmodules rows as {setting: value}, replacing them), module_call {function, args}
 * (the module file's function called instead of a hook, as the admin area does), logins
 * {email: password} (what localAPI ValidateLogin accepts), local_api {url, identifier, secret}
 * (localAPI sent to that api.php instead, e.g. the WHMCS API emulator), sql [statements] (run after seeding,
 * e.g. a trigger that injects a failure), menu [top-level item names] (the hook gets a menu root). A value
 * {"__class__": "WHMCS\\User\\User", ...} in vars becomes that model object.
 *
 * Every warning, notice and deprecation is collected and makes the exit code 3; a fatal error
 * makes it 70.
 */

define('WHMCS', true);
error_reporting(E_ALL);
ini_set('display_errors', 'stderr');

$GLOBALS['HARNESS_ERRORS'] = [];
$GLOBALS['HARNESS_ACTIVITY'] = [];
$GLOBALS['HARNESS_HOOKS'] = [];
$GLOBALS['HARNESS_API_CALLS'] = [];
$GLOBALS['HARNESS_TOKEN_CHECKS'] = [];

set_error_handler(function ($level, $message, $file, $line) {
    if (!(error_reporting() & $level)) {
        return false;
    }
    $GLOBALS['HARNESS_ERRORS'][] = sprintf('PHP error %d: %s at %s:%d', $level, $message, $file, $line);
    return true;
});

register_shutdown_function(function () {
    $last = error_get_last();
    if ($last !== null && in_array($last['type'], [E_ERROR, E_PARSE, E_CORE_ERROR, E_COMPILE_ERROR], true)) {
        fwrite(STDOUT, json_encode(['results' => [], 'activity' => $GLOBALS['HARNESS_ACTIVITY'],
            'errors' => array_merge($GLOBALS['HARNESS_ERRORS'], ['fatal: ' . $last['message']])]));
        exit(70);
    }
});

require 'Illuminate/Database/autoload.php';
require __DIR__ . '/whmcs_stubs.php';

$input = isset($argv[1]) ? file_get_contents($argv[1]) : stream_get_contents(STDIN);
$scenario = json_decode($input, true);
if (!is_array($scenario)) {
    fwrite(STDERR, "harness: the scenario must be a JSON object\n");
    exit(2);
}
$scenario += [
    'vars' => [], 'area' => null, 'server' => [], 'get' => [], 'post' => [], 'session' => [],
    'current_user' => [], 'app_ip' => null, 'config_globals' => null, 'seed' => [],
    'drop_tables' => [], 'include_again' => [], 'hook_files' => [], 'module_settings' => null,
    'module_call' => null, 'logins' => [], 'local_api' => null, 'sql' => [], 'menu' => null,
];
$GLOBALS['HARNESS'] = $scenario;

harness_database($scenario['database'], $scenario['seed']);
harness_module_settings($scenario['module_settings']);
define('ROOTDIR', $scenario['root']);
harness_autoload($scenario['root'] . '/modules/addons/privacy_bridge/lib/');
foreach ($scenario['drop_tables'] as $table) {
    Illuminate\Database\Capsule\Manager::schema()->dropIfExists($table);
}
foreach ($scenario['sql'] as $statement) {
    Illuminate\Database\Capsule\Manager::connection()->unprepared($statement);
}
harness_request($scenario);

if ($scenario['app_ip'] !== null) {
    class App
    {
        public static function getRemoteIp()
        {
            return $GLOBALS['HARNESS']['app_ip'];
        }
    }
}

foreach (array_merge($scenario['hook_files'], $scenario['include_again']) as $file) {
    harness_include($file);
}

if ($scenario['menu'] !== null) {
    // A menu hook gets WHMCS's menu root, with the named top-level items.
    $menu = new HarnessMenuItem('root');
    foreach ($scenario['menu'] as $name) {
        $menu->addChild($name);
    }
    harness_run_hook($scenario['hook'], $menu);
    $results = [$menu->toArray()];
} else {
    $results = $scenario['module_call'] === null
        ? harness_run_hook($scenario['hook'], harness_objects($scenario['vars']))
        : [harness_module_call($scenario['root'], $scenario['module_call'])];
}

fwrite(STDOUT, json_encode([
    'results' => $results,
    'activity' => $GLOBALS['HARNESS_ACTIVITY'],
    'errors' => $GLOBALS['HARNESS_ERRORS'],
    'api_calls' => $GLOBALS['HARNESS_API_CALLS'],
    'token_checks' => $GLOBALS['HARNESS_TOKEN_CHECKS'],
], JSON_UNESCAPED_SLASHES | JSON_PARTIAL_OUTPUT_ON_ERROR));
exit($GLOBALS['HARNESS_ERRORS'] ? 3 : 0);

/** Capsule over SQLite, aliased to WHMCS\Database\Capsule, with minimal WHMCS tables. */
function harness_database($path, array $seed)
{
    if (!is_file($path)) {
        touch($path);
    }
    $capsule = new Illuminate\Database\Capsule\Manager();
    $capsule->addConnection(['driver' => 'sqlite', 'database' => $path, 'prefix' => '']);
    $capsule->setAsGlobal();
    class_alias('Illuminate\Database\Capsule\Manager', 'WHMCS\Database\Capsule');

    $schema = Illuminate\Database\Capsule\Manager::schema();
    $person = function ($table) {
        foreach (['firstname', 'lastname', 'companyname', 'email', 'address1', 'address2', 'city',
                     'state', 'postcode', 'country', 'phonenumber', 'tax_id', 'password'] as $column) {
            $table->string($column)->default('');
        }
    };
    $tables = [
        'tblclients' => function ($table) use ($person) {
            $table->increments('id');
            $table->string('uuid')->default('');
            $person($table);
            $table->integer('currency')->default(1);
            $table->string('defaultgateway')->default('');
            $table->integer('billingcid')->default(0);
            $table->string('status')->default('Active');
            $table->integer('emailoptout')->default(0);
            $table->integer('marketing_emails_opt_in')->default(0);
            $table->text('authdata')->nullable();
        },
        'tblcontacts' => function ($table) use ($person) {
            $table->increments('id');
            $table->integer('userid');
            $person($table);
            $table->integer('invoiceemails')->default(0);
        },
        'tblconfiguration' => function ($table) {
            $table->string('setting', 64)->primary();
            $table->text('value');
            $table->timestamp('created_at')->nullable();
            $table->timestamp('updated_at')->nullable();
        },
        'tblactivitylog' => function ($table) {
            $table->increments('id');
            $table->dateTime('date');
            $table->text('description');
            $table->string('user');
            $table->integer('userid');
            $table->string('ipaddr');
        },
        'tbladdonmodules' => function ($table) {
            $table->increments('id');
            $table->text('module');
            $table->text('setting');
            $table->text('value');
        },
        'tblemailtemplates' => function ($table) {
            $table->increments('id');
            $table->string('type');
            $table->string('name');
        },
        'tblinvoices' => function ($table) {
            $table->increments('id');
            $table->integer('userid');
        },
        'tblhosting' => function ($table) {
            $table->increments('id');
            $table->integer('userid');
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

/** The superglobals and area constants of the simulated request. */
function harness_request(array $scenario)
{
    foreach ($scenario['server'] as $key => $value) {
        if ($value === null) {
            unset($_SERVER[$key]);
        } else {
            $_SERVER[$key] = $value;
        }
    }
    $_GET = $scenario['get'];
    $_POST = $scenario['post'];
    $_REQUEST = array_merge($_GET, $_POST);
    $_SESSION = $scenario['session'];
    if ($scenario['config_globals'] !== null) {
        $GLOBALS['CONFIG'] = $scenario['config_globals'];
    }
    if ($scenario['area'] === 'client') {
        define('CLIENTAREA', true);
    } elseif ($scenario['area'] === 'admin') {
        define('ADMINAREA', true);
    }
}

function harness_objects($value)
{
    if (!is_array($value)) {
        return $value;
    }
    if (isset($value['__class__'])) {
        $class = $value['__class__'];
        unset($value['__class__']);
        return new $class($value);
    }
    return array_map('harness_objects', $value);
}

/** A hook file included the way WHMCS does: inside a function, not at global scope. */
function harness_include($file)
{
    include $file;
}

/** WHMCS's module class autoloading: WHMCS\Module\Addon\PrivacyBridge\X from lib/X.php. */
function harness_autoload($lib)
{
    spl_autoload_register(function ($class) use ($lib) {
        $prefix = 'WHMCS\\Module\\Addon\\PrivacyBridge\\';
        if (strpos($class, $prefix) === 0) {
            $file = $lib . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
        }
    });
}

/** Replaces the module's rows of tbladdonmodules (as saving the module's settings does). */
function harness_module_settings($settings)
{
    if ($settings === null) {
        return;
    }
    $table = Illuminate\Database\Capsule\Manager::table('tbladdonmodules');
    $table->where('module', 'privacy_bridge')->delete();
    foreach ($settings as $setting => $value) {
        Illuminate\Database\Capsule\Manager::table('tbladdonmodules')
            ->insert(['module' => 'privacy_bridge', 'setting' => $setting, 'value' => (string) $value]);
    }
}

/** One function of the module file, as the admin area calls it (activation, upgrade, ...). */
function harness_module_call($root, array $call)
{
    require_once $root . '/modules/addons/privacy_bridge/privacy_bridge.php';
    $args = isset($call['args']) ? $call['args'] : [];
    return call_user_func_array($call['function'], $args);
}
