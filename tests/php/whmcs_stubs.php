<?php
/*
 * Stand-ins for what WHMCS provides to a hook file: add_hook, logActivity, CurrentUser, the
 * Eloquent-style models it hands out, and App::getRemoteIp (declared by harness.php only when
 * the scenario asks for it). They read the scenario from $GLOBALS['HARNESS'].
 */

namespace WHMCS\User {
    /** Attribute bag with magic access, the way Eloquent models behave (no public properties). */
    class Model
    {
        /** @var array */
        protected $attributes;

        public function __construct(array $attributes)
        {
            $this->attributes = $attributes;
        }

        public function __get($name)
        {
            return isset($this->attributes[$name]) ? $this->attributes[$name] : null;
        }

        public function __isset($name)
        {
            return isset($this->attributes[$name]);
        }

        public function __set($name, $value)
        {
            $this->attributes[$name] = $value;
        }
    }

    class User extends Model
    {
    }

    class Admin extends Model
    {
    }

    class Client extends Model
    {
    }
}

namespace WHMCS\Authentication {
    use WHMCS\User\Admin;
    use WHMCS\User\Client;
    use WHMCS\User\User;

    class CurrentUser
    {
        private function who(string $key)
        {
            $who = $GLOBALS['HARNESS']['current_user'];
            return isset($who[$key]) && is_array($who[$key]) ? $who[$key] : null;
        }

        public function admin()
        {
            $data = $this->who('admin');
            return $data === null ? null : new Admin($data);
        }

        public function user()
        {
            $data = $this->who('user');
            return $data === null ? null : new User($data);
        }

        public function client()
        {
            $data = $this->who('client');
            return $data === null ? null : new Client($data);
        }

        public function isAuthenticatedAdmin()
        {
            return $this->who('admin') !== null;
        }

        public function isAuthenticatedUser()
        {
            return $this->who('user') !== null;
        }

        public function isMasqueradingAdmin()
        {
            return !empty($GLOBALS['HARNESS']['current_user']['masquerading']);
        }
    }
}

namespace {
    require_once __DIR__ . '/whmcs_widget.php';
    use Illuminate\Database\Capsule\Manager;

    function add_hook($hookPoint, $priority, $callable)
    {
        $GLOBALS['HARNESS_HOOKS'][$hookPoint][] = [(int) $priority, count($GLOBALS['HARNESS_HOOKS']), $callable];
    }

    /** Like WHMCS's run_hook: every callable of the hook point, lowest priority first. */
    function harness_run_hook($hookPoint, $vars)
    {
        $hooks = isset($GLOBALS['HARNESS_HOOKS'][$hookPoint]) ? $GLOBALS['HARNESS_HOOKS'][$hookPoint] : [];
        usort($hooks, function ($a, $b) {
            return [$a[0], $a[1]] <=> [$b[0], $b[1]];
        });
        $results = [];
        foreach ($hooks as $hook) {
            $results[] = call_user_func($hook[2], $vars);
        }
        return $results;
    }

    /** WHMCS's CSRF token of the session ($_SESSION['tkval'] stands in for it). */
    function generate_token($type = 'form')
    {
        $token = isset($_SESSION['tkval']) ? (string) $_SESSION['tkval'] : '';
        return $type === 'plain' ? $token
            : '<input type="hidden" name="token" value="' . htmlspecialchars($token, ENT_QUOTES) . '" />';
    }

    function check_token($namespace = 'WHMCS.default', $token = '')
    {
        $GLOBALS['HARNESS_TOKEN_CHECKS'][] = $namespace;
        $sent = isset($_POST['token']) ? (string) $_POST['token'] : '';
        return $sent !== '' && isset($_SESSION['tkval']) && hash_equals((string) $_SESSION['tkval'], $sent);
    }

    /**
     * localAPI: with the scenario's local_api {url, identifier, secret}, the command goes to that
     * api.php (the WHMCS API emulator) as the same action; otherwise ValidateLogin is checked
     * against the scenario's logins {email: password}. Every call is recorded (never a password).
     */
    function localAPI($command, $values = [], $adminUser = '')
    {
        $GLOBALS['HARNESS_API_CALLS'][] = ['command' => $command, 'email' => isset($values['email']) ? $values['email'] : null];
        if (!empty($GLOBALS['HARNESS']['local_api'])) {
            return harness_remote_api($GLOBALS['HARNESS']['local_api'], (string) $command, (array) $values);
        }
        $logins = isset($GLOBALS['HARNESS']['logins']) ? $GLOBALS['HARNESS']['logins'] : [];
        if ($command === 'ValidateLogin' && isset($values['email'], $values['password2'], $logins[$values['email']])
            && hash_equals((string) $logins[$values['email']], (string) $values['password2'])) {
            return ['result' => 'success', 'userid' => 1];
        }
        return ['result' => 'error', 'message' => 'Email or Password Invalid'];
    }

    /** One api.php call, as WHMCS's own API answers it: the decoded JSON, or an error result. */
    function harness_remote_api(array $api, $command, array $values)
    {
        $form = array_merge($values, ['action' => $command, 'identifier' => $api['identifier'],
            'secret' => $api['secret'], 'responsetype' => 'json']);
        $curl = curl_init($api['url']);
        curl_setopt_array($curl, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => http_build_query($form),
            CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 10, CURLOPT_FOLLOWLOCATION => false]);
        $body = curl_exec($curl);
        curl_close($curl);
        $answer = is_string($body) ? json_decode($body, true) : null;
        return is_array($answer) ? $answer : ['result' => 'error', 'message' => 'the API did not answer'];
    }

    /** The menu item API of WHMCS\View\Menu\Item that the module uses: getChild and addChild. */
    class HarnessMenuItem
    {
        public $name;
        public $options;
        public $children = [];

        public function __construct($name, array $options = [])
        {
            $this->name = $name;
            $this->options = $options;
        }

        public function getChild($name)
        {
            return isset($this->children[$name]) ? $this->children[$name] : null;
        }

        public function addChild($name, array $options = [])
        {
            return $this->children[$name] = new HarnessMenuItem($name, $options);
        }

        public function toArray()
        {
            return ['name' => $this->name, 'options' => $this->options,
                'children' => array_map(function ($c) { return $c->toArray(); }, array_values($this->children))];
        }
    }

    function logActivity($message, $userId = 0)
    {
        Manager::table('tblactivitylog')->insert([
            'date' => gmdate('Y-m-d H:i:s'),
            'description' => (string) $message,
            'user' => 'System',
            'userid' => (int) $userId,
            'ipaddr' => '',
        ]);
        $GLOBALS['HARNESS_ACTIVITY'][] = (string) $message;
    }
}
