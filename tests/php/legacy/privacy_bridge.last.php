<?php
/**
 * WHMCS Privacy Bridge: the WHMCS side.
 *
 * Drop this file into includes/hooks/ with privacy_bridge.config.php beside it. It forwards
 * client, contact and user events to the bridge through a durable outbox table, asks the bridge
 * before profile changes and marketing mail, and shows the bridge's panels.
 *
 * Guarantees: no hook ever throws into WHMCS; no page waits longer than the configured timeout;
 * passwords, 2FA data, security answers, card numbers and tokens are never sent. Compatible with
 * PHP 7.4 to 8.x (WHMCS 8.x).
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}
// A second include or a stray copy of this file (contract 10) stops here: its classes are
// declared only when this line is passed, and its hooks are registered once. A constant, not
// class_exists(): PHP declares the classes below before the first line runs.
if (defined('PRIVACY_BRIDGE_HOOKS_FILE')) {
    return;
}
define('PRIVACY_BRIDGE_HOOKS_FILE', __FILE__);

/** Settings from privacy_bridge.config.php, validated once per request. */
final class PrivacyBridgeConfig
{
    const FILE = 'privacy_bridge.config.php';

    /** @var string */
    public $url;
    /** @var string[] raw HMAC keys, the first one is the current secret */
    public $keys;
    /** @var int */
    public $connectTimeoutMs;
    /** @var int */
    public $timeoutMs;
    /** @var int */
    public $validateTimeoutMs;
    /** @var bool */
    public $failOpen;
    /** @var int */
    public $maxAttempts;

    /**
     * @return array{0: ?PrivacyBridgeConfig, 1: string} the config, or null and why it is unusable
     */
    public static function load(string $dir): array
    {
        $file = $dir . DIRECTORY_SEPARATOR . self::FILE;
        if (!is_file($file)) {
            return [null, self::FILE . ' is missing'];
        }
        $raw = include $file;
        if (!is_array($raw)) {
            return [null, self::FILE . ' does not return an array'];
        }
        $config = new self();
        $problem = $config->fill($raw);
        return $problem === '' ? [$config, ''] : [null, $problem];
    }

    private function fill(array $raw): string
    {
        $url = isset($raw['bridge_url']) && is_string($raw['bridge_url']) ? rtrim(trim($raw['bridge_url']), '/') : '';
        if (!self::isAllowedUrl($url)) {
            return 'bridge_url must be an https:// URL (http:// only for a loopback address)';
        }
        $keys = self::decodeSecrets(isset($raw['webhook_secret']) ? $raw['webhook_secret'] : null);
        if (!$keys) {
            return 'webhook_secret must be "whsec_" followed by base64';
        }
        $this->url = $url;
        $this->keys = $keys;
        $this->connectTimeoutMs = self::positiveInt($raw, 'connect_timeout_ms', 1000);
        $this->timeoutMs = self::positiveInt($raw, 'timeout_ms', 2000);
        $this->validateTimeoutMs = self::positiveInt($raw, 'validate_timeout_ms', 1500);
        $this->maxAttempts = self::positiveInt($raw, 'max_attempts', 20);
        $this->failOpen = array_key_exists('fail_open', $raw) ? (bool) $raw['fail_open'] : true;
        return '';
    }

    public static function isAllowedUrl(string $url): bool
    {
        $parts = parse_url($url);
        if (!is_array($parts) || !isset($parts['scheme'], $parts['host']) || isset($parts['user'])) {
            return false;
        }
        $scheme = strtolower($parts['scheme']);
        if ($scheme === 'https') {
            return true;
        }
        return $scheme === 'http' && self::isLoopback($parts['host']);
    }

    private static function isLoopback(string $host): bool
    {
        $host = strtolower(trim($host, '[]'));
        if ($host === 'localhost' || $host === '::1') {
            return true;
        }
        return filter_var($host, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) !== false
            && strpos($host, '127.') === 0;
    }

    /** @param mixed $value */
    private static function decodeSecrets($value): array
    {
        $keys = [];
        foreach (is_string($value) ? explode(',', $value) : [] as $secret) {
            $secret = trim($secret);
            if (strpos($secret, 'whsec_') !== 0) {
                return [];
            }
            $key = base64_decode(substr($secret, 6), true);
            if ($key === false || $key === '') {
                return [];
            }
            $keys[] = $key;
        }
        return $keys;
    }

    private static function positiveInt(array $raw, string $name, int $default): int
    {
        $value = isset($raw[$name]) ? filter_var($raw[$name], FILTER_VALIDATE_INT) : false;
        return is_int($value) && $value > 0 ? $value : $default;
    }
}

/** Who is acting and from where: WHMCS passes no actor to hooks (contract 3.1). */
final class PrivacyBridgeContext
{
    public static function actor(): array
    {
        $ip = self::remoteIp();
        if (self::isApiRequest()) {
            $actor = ['type' => 'api', 'id' => self::apiIdentifier()];
            if ($actor['id'] === null) {
                $actor['id'] = 'unknown'; // the bridge needs a name to attribute an API change
            }
            if (isset($_POST['bridge_change_id']) && is_scalar($_POST['bridge_change_id'])) {
                $actor['change_id'] = (string) $_POST['bridge_change_id'];
            }
            return self::withIp($actor, $ip);
        }
        if (self::isCron()) {
            return ['type' => 'cron', 'id' => null];
        }
        $who = self::currentUser();
        if ($who['admin'] !== null && (defined('ADMINAREA') || $who['masquerading'])) {
            $actor = ['type' => 'admin', 'id' => $who['admin']];
            if ($who['masquerading']) {
                $actor['masquerading'] = true;
                $actor['user_id'] = $who['user'];
            }
            return self::withIp($actor, $ip);
        }
        if ($who['client'] !== null || $who['user'] !== null) {
            $actor = ['type' => 'client', 'id' => $who['client'], 'user_id' => $who['user']];
            if ($who['masquerading']) {
                $actor['masquerading'] = true; // the admin behind it is unknown
            }
            return self::withIp($actor, $ip);
        }
        if ($who['admin'] !== null) {
            return self::withIp(['type' => 'admin', 'id' => $who['admin']], $ip);
        }
        return self::withIp(['type' => 'system', 'id' => null], $ip);
    }

    /** The active client account of a client-area request, or null. */
    public static function clientId(): ?int
    {
        $who = self::currentUser();
        return $who['client'];
    }

    public static function isAdminArea(): bool
    {
        return defined('ADMINAREA');
    }

    public static function script(): string
    {
        foreach (['SCRIPT_NAME', 'PHP_SELF', 'SCRIPT_FILENAME'] as $key) {
            if (!empty($_SERVER[$key]) && is_string($_SERVER[$key])) {
                return basename($_SERVER[$key]);
            }
        }
        return '';
    }

    private static function isApiRequest(): bool
    {
        return self::script() === 'api.php';
    }

    private static function isCron(): bool
    {
        return (PHP_SAPI === 'cli' && !isset($_SERVER['REQUEST_METHOD'])) || self::script() === 'cron.php';
    }

    private static function apiIdentifier(): ?string
    {
        foreach (['identifier', 'username'] as $key) {
            if (isset($_POST[$key]) && is_string($_POST[$key]) && $_POST[$key] !== '') {
                return $_POST[$key];
            }
        }
        return null;
    }

    /** @return array{admin: ?int, user: ?int, client: ?int, masquerading: bool} */
    private static function currentUser(): array
    {
        $who = ['admin' => null, 'user' => null, 'client' => null, 'masquerading' => false];
        if (class_exists('WHMCS\Authentication\CurrentUser')) {
            $current = new \WHMCS\Authentication\CurrentUser();
            $who['admin'] = self::idOf($current->admin());
            $who['user'] = self::idOf($current->user());
            $who['client'] = self::idOf($current->client());
            $who['masquerading'] = (bool) $current->isMasqueradingAdmin();
        }
        // Sessions of WHMCS before 8.0 (and some custom pages) only have the legacy keys.
        if ($who['admin'] === null && isset($_SESSION['adminid']) && (int) $_SESSION['adminid'] > 0) {
            $who['admin'] = (int) $_SESSION['adminid'];
        }
        if ($who['client'] === null && isset($_SESSION['uid']) && (int) $_SESSION['uid'] > 0) {
            $who['client'] = (int) $_SESSION['uid'];
        }
        return $who;
    }

    /** @param mixed $model */
    private static function idOf($model): ?int
    {
        return is_object($model) && isset($model->id) ? (int) $model->id : null;
    }

    private static function remoteIp(): ?string
    {
        $ip = null;
        if (class_exists('App') && is_callable(['App', 'getRemoteIp'])) {
            $ip = \App::getRemoteIp();
        }
        if (!is_string($ip) || filter_var($ip, FILTER_VALIDATE_IP) === false) {
            $ip = isset($_SERVER['REMOTE_ADDR']) && is_string($_SERVER['REMOTE_ADDR']) ? $_SERVER['REMOTE_ADDR'] : null;
        }
        return $ip !== null && filter_var($ip, FILTER_VALIDATE_IP) !== false ? $ip : null;
    }

    private static function withIp(array $actor, ?string $ip): array
    {
        if ($ip !== null) {
            $actor['ip'] = $ip;
        }
        return $actor;
    }
}

/** What may leave WHMCS: an allow-list of keys per hook, then a deny-list as a second line. */
final class PrivacyBridgePayload
{
    const CONTACT = [
        'firstname', 'lastname', 'companyname', 'email', 'address1', 'address2', 'city', 'state',
        'postcode', 'country', 'phonenumber',
    ];
    const CLIENT_SETTINGS = [
        'tax_id', 'currency', 'status', 'taxexempt', 'latefeeoveride', 'overideduenotices',
        'separateinvoices', 'disableautocc', 'emailoptout', 'marketing_emails_opt_in',
        'isOptedInToMarketingEmails', 'overrideautoclose', 'language', 'billingcid', 'groupid',
        'allow_sso', 'email_verified', 'email_preferences', 'defaultgateway', 'paymentmethod',
    ];
    const CONTACT_SETTINGS = [
        'tax_id', 'generalemails', 'productemails', 'domainemails', 'invoiceemails', 'supportemails',
        'affiliateemails',
    ];
    const USER = ['user_id', 'firstname', 'lastname', 'email', 'language'];
    // The consent fields of the client forms: the templates post the marketing checkbox as
    // "marketingoptin" (docs/whmcs-forms.md); the others come from the admin area and the API.
    const CONSENT_FORM = ['marketingoptin', 'marketing_emails_opt_in', 'emailoptout', 'email_preferences'];
    // Second line of defence, applied at every depth (contract 3.1's list).
    const DENY = '/^(password.*|authdata|securityq.*|card(?!type$|lastfour$).*|remote_?token|mergefields|token)$/i';

    /** The vars of an event hook, reduced to what the bridge may see. */
    public static function event(string $event, array $vars): array
    {
        if ($event === 'UserLogin') {
            return ['user' => self::person(isset($vars['user']) ? $vars['user'] : null)];
        }
        if ($event === 'CCUpdate') {
            return self::card($vars);
        }
        $allowed = self::allowList($event);
        $out = self::pick($vars, $allowed);
        if (isset($vars['olddata']) && is_array($vars['olddata']) && in_array('olddata', $allowed, true)) {
            $out['olddata'] = self::pick($vars['olddata'], array_diff($allowed, ['olddata']));
        }
        return $out;
    }

    /**
     * The vars of a validation hook (the posted form), reduced to the profile fields and sent as
     * posted: an absent field (a locked one is not posted) stays absent, an array stays an array.
     */
    public static function form(string $event, array $vars): array
    {
        $fields = $event === 'ContactDetailsValidation'
            ? array_merge(['contactid'], self::CONTACT, self::CONTACT_SETTINGS, ['email_preferences'])
            : array_merge(self::CONTACT, ['tax_id', 'paymentmethod', 'billingcid', 'currency'], self::CONSENT_FORM);
        return self::pick($vars, $fields);
    }

    public static function allowList(string $event): array
    {
        $client = array_merge(self::CONTACT, self::CLIENT_SETTINGS);
        $contact = array_merge(['userid', 'contactid'], self::CONTACT, self::CONTACT_SETTINGS);
        $lists = [
            'ClientAdd' => array_merge(['client_id', 'user_id', 'userid'], $client),
            'ClientEdit' => array_merge(['userid', 'uuid', 'olddata'], $client),
            'ClientClose' => ['userid'],
            'PreDeleteClient' => ['userid'],
            'ClientDelete' => ['userid'],
            'ClientChangePassword' => ['userid'],
            'UserAdd' => self::USER,
            'UserEdit' => array_merge(self::USER, ['olddata']),
            'UserChangePassword' => ['userid'],
            'ContactAdd' => $contact,
            'ContactEdit' => array_merge($contact, ['olddata']),
            'ContactDelete' => ['userid', 'contactid'],
            'AfterClientMerge' => ['toUserID', 'fromUserID'],
            'DailyCronJob' => [],
        ];
        return isset($lists[$event]) ? $lists[$event] : [];
    }

    /** @param mixed $vars */
    public static function pick($vars, array $keys): array
    {
        $out = [];
        foreach ($keys as $key) {
            if (is_array($vars) && array_key_exists($key, $vars) && !preg_match(self::DENY, $key)) {
                $out[$key] = self::clean($vars[$key]);
            }
        }
        return $out;
    }

    /**
     * A login identity as {id, firstname, lastname, email}, whatever WHMCS handed over: the
     * WHMCS\User\User model of UserLogin has the columns first_name and last_name.
     */
    public static function person($user): ?array
    {
        if (!is_object($user) && !is_array($user)) {
            return null;
        }
        $names = ['id' => ['id'], 'firstname' => ['first_name', 'firstname'],
            'lastname' => ['last_name', 'lastname'], 'email' => ['email']];
        $out = [];
        foreach ($names as $key => $sources) {
            $out[$key] = self::attribute($user, $sources);
        }
        $out['id'] = $out['id'] === null ? null : (int) $out['id'];
        return $out;
    }

    /**
     * The first scalar attribute of an array or a model (magic properties included).
     *
     * @param array|object $from
     * @return mixed
     */
    private static function attribute($from, array $names)
    {
        foreach ($names as $name) {
            $value = is_array($from)
                ? (isset($from[$name]) ? $from[$name] : null)
                : (isset($from->$name) ? $from->$name : null);
            if (is_scalar($value)) {
                return $value;
            }
        }
        return null;
    }

    private static function card(array $vars): array
    {
        $out = self::pick($vars, ['userid', 'cardtype', 'cardlastfour']);
        $digits = isset($vars['cardnum']) && is_scalar($vars['cardnum'])
            ? preg_replace('/\D+/', '', (string) $vars['cardnum'])
            : '';
        if (strlen($digits) >= 4) {
            $out['cardlastfour'] = substr($digits, -4);
        }
        return $out;
    }

    /**
     * Scalars stay as they are; arrays are cleaned recursively; objects become a person or go.
     *
     * @param mixed $value
     * @return mixed
     */
    private static function clean($value)
    {
        if (is_object($value)) {
            return self::person($value);
        }
        if (!is_array($value)) {
            return is_scalar($value) || $value === null ? $value : null;
        }
        $out = [];
        foreach ($value as $key => $item) {
            if (!is_string($key) || !preg_match(self::DENY, $key)) {
                $out[$key] = self::clean($item);
            }
        }
        return $out;
    }
}

/**
 * Keeps every request within what the bridge accepts (contract 10): each string value is cut to
 * 64 KiB, and a body still over 1 MiB loses its largest values. Every path cut or dropped is
 * listed, dotted and relative to vars, in the envelope's "truncated".
 */
final class PrivacyBridgeLimits
{
    const MAX_STRING = 65536;
    const MAX_BODY = 1048576;

    /**
     * @param callable $encode (vars, truncated paths) -> the body exactly as it will be sent
     * @return array{0: array, 1: string[]} the vars that fit, and the paths cut or dropped
     */
    public static function fit(array $vars, callable $encode): array
    {
        $truncated = [];
        $vars = self::cutAll($vars, '', $truncated);
        $over = strlen($encode($vars, $truncated)) - self::MAX_BODY;
        $saved = 0;
        foreach ($over > 0 ? self::leavesBySize($vars) : [] as $path => $size) {
            $vars = self::without($vars, explode("\0", (string) $path));
            $dotted = str_replace("\0", '.', (string) $path);
            if (!in_array($dotted, $truncated, true)) {
                $truncated[] = $dotted;
            }
            $saved += $size;
            if ($saved >= $over) { // the estimate says it fits: measure again
                $over = strlen($encode($vars, $truncated)) - self::MAX_BODY;
                $saved = 0;
                if ($over <= 0) {
                    break;
                }
            }
        }
        return [$vars, $truncated];
    }

    private static function cutAll(array $values, string $prefix, array &$truncated): array
    {
        foreach ($values as $key => $value) {
            if (is_array($value)) {
                $values[$key] = self::cutAll($value, $prefix . $key . '.', $truncated);
            } elseif (is_string($value) && strlen($value) > intdiv(self::MAX_STRING, 3)) {
                $cut = self::cut($value);
                if ($cut !== null) {
                    $values[$key] = $cut;
                    $truncated[] = $prefix . $key;
                }
            }
        }
        return $values;
    }

    /** The first MAX_STRING bytes of the UTF-8 the bridge will read, cut between characters; null if it fits. */
    private static function cut(string $value): ?string
    {
        if (preg_match('//u', $value) !== 1) {
            // json_encode will send each invalid byte as U+FFFD (3 bytes): count what is sent.
            $value = (string) json_decode(PrivacyBridgeHttp::json($value));
        }
        if (strlen($value) <= self::MAX_STRING) {
            return null;
        }
        $end = self::MAX_STRING;
        while ($end > 0 && (ord($value[$end]) & 0xC0) === 0x80) {
            $end--; // a continuation byte: the character started earlier
        }
        return substr($value, 0, $end);
    }

    /** @return array<string, int> "\0"-joined path of every scalar => its share of the body, largest first */
    private static function leavesBySize(array $values, string $prefix = ''): array
    {
        $sizes = [];
        foreach ($values as $key => $value) {
            $path = $prefix . $key;
            if (is_array($value)) {
                $sizes += self::leavesBySize($value, $path . "\0");
            } else {
                $sizes[$path] = strlen(PrivacyBridgeHttp::json((string) $key)) + strlen(PrivacyBridgeHttp::json($value)) + 2;
            }
        }
        if ($prefix === '') {
            arsort($sizes, SORT_NUMERIC);
        }
        return $sizes;
    }

    private static function without(array $values, array $path): array
    {
        $key = array_shift($path);
        if (!array_key_exists($key, $values)) {
            return $values;
        }
        if ($path && is_array($values[$key])) {
            $values[$key] = self::without($values[$key], $path);
        } elseif (!$path) {
            unset($values[$key]);
        }
        return $values;
    }
}

/** Reads WHMCS data the hooks need but WHMCS does not pass. Every read may fail: callers catch. */
final class PrivacyBridgeStore
{
    const NOT_CONFIGURED_MARK = 'PrivacyBridgeNotConfiguredLogged';
    const CLIENT_CURRENT = [
        'firstname', 'lastname', 'companyname', 'email', 'address1', 'address2', 'city', 'state',
        'postcode', 'country', 'phonenumber', 'tax_id', 'billingcid', 'currency',
        'marketing_emails_opt_in', 'emailoptout',
    ];
    const CONTACT_CURRENT = [
        'firstname', 'lastname', 'companyname', 'email', 'address1', 'address2', 'city', 'state',
        'postcode', 'country', 'phonenumber', 'tax_id',
    ];

    /** @var array<string, ?string> */
    private static $settings = [];

    public static function setting(string $name): ?string
    {
        if (array_key_exists($name, self::$settings)) {
            return self::$settings[$name];
        }
        $value = isset($GLOBALS['CONFIG'][$name]) && is_scalar($GLOBALS['CONFIG'][$name])
            ? (string) $GLOBALS['CONFIG'][$name]
            : null;
        if ($value === null) {
            try {
                $found = \WHMCS\Database\Capsule::table('tblconfiguration')->where('setting', $name)->value('value');
                $value = is_scalar($found) ? (string) $found : null;
            } catch (\Throwable $e) {
                $value = null;
            }
        }
        return self::$settings[$name] = $value;
    }

    /** True the first time it is asked on a given UTC day (kept in tblconfiguration). */
    public static function firstTimeToday(): bool
    {
        $today = gmdate('Y-m-d');
        if (class_exists('WHMCS\Config\Setting')) {
            if (\WHMCS\Config\Setting::getValue(self::NOT_CONFIGURED_MARK) === $today) {
                return false;
            }
            \WHMCS\Config\Setting::setValue(self::NOT_CONFIGURED_MARK, $today);
            return true;
        }
        $table = \WHMCS\Database\Capsule::table('tblconfiguration');
        if ($table->where('setting', self::NOT_CONFIGURED_MARK)->value('value') === $today) {
            return false;
        }
        $values = ['value' => $today];
        if (\WHMCS\Database\Capsule::schema()->hasColumn('tblconfiguration', 'updated_at')) {
            $values['created_at'] = $values['updated_at'] = gmdate('Y-m-d H:i:s');
        }
        \WHMCS\Database\Capsule::table('tblconfiguration')
            ->updateOrInsert(['setting' => self::NOT_CONFIGURED_MARK], $values);
        return true;
    }

    /** tax_id and defaultgateway, which ClientEdit does not carry (contract 3.1). */
    public static function clientBilling(int $clientId): array
    {
        $row = self::row('tblclients', $clientId);
        $out = [];
        foreach (['tax_id', 'defaultgateway'] as $column) {
            if ($row !== null && property_exists($row, $column)) {
                $out[$column] = $row->$column;
            }
        }
        return $out;
    }

    /** Stored client values keyed by the contract's field names (paymentmethod = defaultgateway). */
    public static function currentClient(int $clientId): ?array
    {
        $row = self::row('tblclients', $clientId);
        if ($row === null) {
            return null;
        }
        $out = self::columns($row, self::CLIENT_CURRENT);
        if (property_exists($row, 'defaultgateway')) {
            $out['paymentmethod'] = $row->defaultgateway;
        }
        return $out;
    }

    public static function currentContact(int $clientId, int $contactId): ?array
    {
        $row = \WHMCS\Database\Capsule::table('tblcontacts')
            ->where('id', $contactId)->where('userid', $clientId)->first();
        return $row === null ? null : self::columns($row, self::CONTACT_CURRENT);
    }

    /**
     * The type of an email template (general, product, domain, invoice, support, affiliate,
     * admin, notification): EmailPreSend passes only its name. One row per language, same type.
     */
    public static function templateType(string $template): ?string
    {
        $type = \WHMCS\Database\Capsule::table('tblemailtemplates')
            ->where('name', $template)->orderBy('id')->value('type');
        return is_string($type) ? $type : null;
    }

    /** @return object|null */
    private static function row(string $table, int $id)
    {
        return \WHMCS\Database\Capsule::table($table)->where('id', $id)->first();
    }

    private static function columns($row, array $names): array
    {
        $out = [];
        foreach ($names as $name) {
            if (property_exists($row, $name)) {
                $out[$name] = $row->$name;
            }
        }
        return $out;
    }
}

/** One signed POST with hard timeouts; never throws for network trouble. */
final class PrivacyBridgeHttp
{
    const USER_AGENT = 'WHMCS-Privacy-Bridge-Hook/1.0';

    /** @return array{status: int, body: string, error: string} status 0 = no HTTP answer */
    public static function post(PrivacyBridgeConfig $config, string $path, string $webhookId, string $body, int $timeoutMs): array
    {
        $timestamp = (string) time();
        $headers = [
            'Content-Type: application/json',
            'Accept: application/json',
            'Expect:', // curl would otherwise wait for "100 Continue" on larger bodies
            'webhook-id: ' . $webhookId,
            'webhook-timestamp: ' . $timestamp,
            'webhook-signature: ' . self::signature($config->keys, $webhookId . '.' . $timestamp . '.' . $body),
        ];
        $handle = curl_init($config->url . $path);
        curl_setopt_array($handle, [
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_NOSIGNAL => true, // needed for timeouts below one second
            CURLOPT_CONNECTTIMEOUT_MS => min($config->connectTimeoutMs, $timeoutMs),
            CURLOPT_TIMEOUT_MS => $timeoutMs,
            CURLOPT_USERAGENT => self::USER_AGENT,
        ]);
        $response = curl_exec($handle);
        $errno = curl_errno($handle);
        $result = [
            'status' => $errno === 0 ? (int) curl_getinfo($handle, CURLINFO_RESPONSE_CODE) : 0,
            'body' => is_string($response) ? $response : '',
            'error' => $errno === 0 ? '' : 'curl error ' . $errno . ': ' . curl_error($handle),
        ];
        if (PHP_VERSION_ID < 80000) {
            curl_close($handle);
        }
        return $result;
    }

    /** Standard Webhooks "v1,<base64 HMAC-SHA256>", one per secret, space-separated. */
    public static function signature(array $keys, string $content): string
    {
        $signatures = [];
        foreach ($keys as $key) {
            $signatures[] = 'v1,' . base64_encode(hash_hmac('sha256', $content, $key, true));
        }
        return implode(' ', $signatures);
    }

    public static function newId(): string
    {
        return 'msg_' . bin2hex(random_bytes(16));
    }

    public static function json($value): string
    {
        $json = json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE);
        if (!is_string($json)) {
            throw new \RuntimeException('could not encode the payload as JSON');
        }
        return $json;
    }
}

/** The durable outbox of contract section 8: write first, deliver in order, retry from cron. */
final class PrivacyBridgeOutbox
{
    const TABLE = 'mod_privacy_bridge_outbox';
    const PATH = '/v1/hooks/whmcs';
    const KEEP_DAYS = 30;
    const DEAD_PAYLOAD_DAYS = 7;
    const SET_ASIDE_MAX = 20;
    // A stand-in outbox_id longer than any row id, so that a fitted event stays within the limit.
    const ID_PLACEHOLDER = PHP_INT_MAX;
    const BACKOFF_BASE_S = 60;
    const BACKOFF_CAP_S = 21600;
    const FLUSH_MAX_ROWS = 500;
    const FLUSH_MAX_SECONDS = 120;

    /** @var bool */
    private static $ready = false;

    public static function ensureTable(): void
    {
        if (self::$ready) {
            return;
        }
        $schema = \WHMCS\Database\Capsule::schema();
        if (!$schema->hasTable(self::TABLE)) {
            try {
                $schema->create(self::TABLE, function ($table) {
                    $table->increments('id');
                    $table->string('webhook_id', 64)->unique();
                    $table->string('event', 64);
                    $table->longText('payload')->nullable();
                    $table->unsignedInteger('attempts')->default(0);
                    $table->dateTime('next_attempt_at')->nullable()->index();
                    $table->dateTime('delivered_at')->nullable()->index();
                    $table->dateTime('dead_at')->nullable()->index();
                    $table->text('last_error')->nullable();
                    $table->dateTime('created_at');
                });
            } catch (\Throwable $e) {
                // Another request may have created it in the meantime.
                if (!$schema->hasTable(self::TABLE)) {
                    throw $e;
                }
            }
        }
        self::$ready = true;
    }

    /** Stores the envelope (without outbox_id, which is the row id) and returns the row id. */
    public static function add(string $event, array $envelope): int
    {
        self::ensureTable();
        return (int) \WHMCS\Database\Capsule::table(self::TABLE)->insertGetId([
            'webhook_id' => PrivacyBridgeHttp::newId(),
            'event' => $event,
            'payload' => PrivacyBridgeHttp::json($envelope),
            'attempts' => 0,
            'next_attempt_at' => self::now(),
            'created_at' => self::now(),
        ]);
    }

    /**
     * Delivers a new row at once unless an older one is still pending (order is kept). An older
     * row that cannot be read is set aside on the way, so it never holds the new one back.
     */
    public static function deliverIfFirst(PrivacyBridgeConfig $config, int $id): void
    {
        for ($i = 0; $i < self::SET_ASIDE_MAX; $i++) {
            $head = self::pending()->where('id', '<=', $id)->orderBy('id')->first();
            if ($head === null) {
                return;
            }
            list($stored, $problem) = self::stored($head);
            if ($stored === null) {
                self::setAside($head, $problem);
                continue;
            }
            if ((int) $head->id === $id) {
                self::attempt($config, $head, $stored);
            }
            return;
        }
    }

    /**
     * Retries pending rows oldest first; stops at the first row that must wait or fails again.
     * A row that cannot be read is set aside (dead, with the reason) and the next one is tried.
     */
    public static function flush(PrivacyBridgeConfig $config): void
    {
        self::ensureTable();
        self::prune();
        $started = microtime(true);
        $rows = self::pending()->orderBy('id')->limit(self::FLUSH_MAX_ROWS)->get();
        foreach ($rows as $row) {
            list($stored, $problem) = self::stored($row);
            if ($stored === null) {
                self::setAside($row, $problem);
                continue;
            }
            if ($row->next_attempt_at !== null && $row->next_attempt_at > self::now()) {
                return;
            }
            if (self::attempt($config, $row, $stored) === 'retry' || microtime(true) - $started > self::FLUSH_MAX_SECONDS) {
                return;
            }
        }
    }

    /**
     * The one delivery of an event the outbox could not store (contract 10). It has no row, so
     * its outbox_id is the current unix time: after every row id, for the bridge's tie-break.
     */
    public static function sendDirect(PrivacyBridgeConfig $config, array $draft): void
    {
        $body = PrivacyBridgeHttp::json(PrivacyBridgeHooks::envelope($draft, time()));
        $answer = PrivacyBridgeHttp::post($config, self::PATH, PrivacyBridgeHttp::newId(), $body, $config->timeoutMs);
        if ($answer['status'] < 200 || $answer['status'] >= 300) {
            PrivacyBridgeHooks::log('event ' . $draft['event'] . ' could not be stored nor delivered: '
                . ($answer['status'] === 0 ? $answer['error'] : 'HTTP ' . $answer['status']));
        }
    }

    /** @return array{pending: int, dead: int, oldest_pending_at: ?string} */
    public static function health(): array
    {
        self::ensureTable();
        $oldest = self::pending()->min('created_at');
        return [
            'pending' => (int) self::pending()->count(),
            'dead' => (int) \WHMCS\Database\Capsule::table(self::TABLE)->whereNotNull('dead_at')->count(),
            'oldest_pending_at' => is_string($oldest) ? self::rfc3339($oldest) : null,
        ];
    }

    public static function lastError(): ?string
    {
        $error = \WHMCS\Database\Capsule::table(self::TABLE)->whereNotNull('last_error')
            ->orderBy('id', 'desc')->value('last_error');
        return is_string($error) ? $error : null;
    }

    /** @return string delivered | dead | retry */
    private static function attempt(PrivacyBridgeConfig $config, $row, array $stored): string
    {
        $body = PrivacyBridgeHttp::json(PrivacyBridgeHooks::envelope($stored, (int) $row->id));
        $answer = PrivacyBridgeHttp::post($config, self::PATH, (string) $row->webhook_id, $body, $config->timeoutMs);
        $attempts = (int) $row->attempts + 1;
        $status = $answer['status'];
        if ($status >= 200 && $status < 300) {
            self::update($row->id, [
                'attempts' => $attempts, 'delivered_at' => self::now(), 'payload' => null,
                'last_error' => null, 'next_attempt_at' => null,
            ]);
            return 'delivered';
        }
        $error = $status === 0 ? $answer['error'] : 'HTTP ' . $status;
        if (self::isFinal($status) || $attempts >= $config->maxAttempts) {
            self::update($row->id, ['attempts' => $attempts, 'dead_at' => self::now(), 'last_error' => $error]);
            PrivacyBridgeHooks::log('event ' . $row->event . ' #' . $row->id . ' given up after '
                . $attempts . ' attempt(s): ' . $error);
            return 'dead';
        }
        if ($status === 401) {
            PrivacyBridgeHooks::log('the bridge rejected the signature (HTTP 401): check webhook_secret');
        }
        $delay = min(self::BACKOFF_CAP_S, self::BACKOFF_BASE_S * (2 ** min($attempts - 1, 20)));
        self::update($row->id, [
            'attempts' => $attempts, 'last_error' => $error,
            'next_attempt_at' => gmdate('Y-m-d H:i:s', time() + $delay),
        ]);
        return 'retry';
    }

    /** 401, 408, 429, 5xx and no answer are retried; any other 4xx is final (contract 3.1). */
    private static function isFinal(int $status): bool
    {
        return $status >= 400 && $status < 500 && !in_array($status, [401, 408, 429], true);
    }

    /**
     * The stored envelope of a row, or null and why it cannot be sent.
     *
     * @return array{0: ?array, 1: string}
     */
    private static function stored($row): array
    {
        if (!is_string($row->webhook_id) || $row->webhook_id === '') {
            return [null, 'the row has no webhook_id'];
        }
        if (!is_string($row->payload) || $row->payload === '') {
            return [null, 'the payload is missing'];
        }
        $stored = json_decode($row->payload, true);
        if (json_last_error() !== JSON_ERROR_NONE) {
            return [null, 'the payload is not valid JSON'];
        }
        if (!is_array($stored) || !isset($stored['event']) || !is_string($stored['event']) || $stored['event'] === '') {
            return [null, 'the payload is not an object with an event'];
        }
        $types = ['occurred_at' => 'is_string', 'whmcs' => 'is_array', 'actor' => 'is_array', 'vars' => 'is_array'];
        foreach ($types as $key => $check) {
            if (!array_key_exists($key, $stored) || !$check($stored[$key])) {
                return [null, 'the payload field ' . $key . ' is missing or has the wrong type'];
            }
        }
        if (isset($stored['truncated']) && !is_array($stored['truncated'])) {
            return [null, 'the payload field truncated has the wrong type'];
        }
        return [$stored, ''];
    }

    /** Marks an unreadable row dead with the reason: it is shown in the admin panel, never sent. */
    private static function setAside($row, string $problem): void
    {
        self::update($row->id, ['dead_at' => self::now(), 'last_error' => 'unreadable: ' . $problem]);
        PrivacyBridgeHooks::log('outbox row #' . (int) $row->id . ' set aside, unreadable: ' . $problem);
    }

    /** Delivered rows and dead rows go after 30 days; a dead row's payload after 7 (contract 10). */
    private static function prune(): void
    {
        $cutoff = gmdate('Y-m-d H:i:s', time() - self::KEEP_DAYS * 86400);
        \WHMCS\Database\Capsule::table(self::TABLE)->where('delivered_at', '<', $cutoff)->delete();
        \WHMCS\Database\Capsule::table(self::TABLE)->where('dead_at', '<', $cutoff)->delete();
        $payloadCutoff = gmdate('Y-m-d H:i:s', time() - self::DEAD_PAYLOAD_DAYS * 86400);
        \WHMCS\Database\Capsule::table(self::TABLE)->where('dead_at', '<', $payloadCutoff)
            ->whereNotNull('payload')->update(['payload' => null]);
    }

    private static function pending()
    {
        return \WHMCS\Database\Capsule::table(self::TABLE)->whereNull('delivered_at')->whereNull('dead_at');
    }

    private static function update($id, array $values): void
    {
        \WHMCS\Database\Capsule::table(self::TABLE)->where('id', $id)->update($values);
    }

    private static function now(): string
    {
        return gmdate('Y-m-d H:i:s');
    }

    private static function rfc3339(string $utc): string
    {
        return str_replace(' ', 'T', substr($utc, 0, 19)) . 'Z';
    }
}

/** The hook entry points. Each one is wrapped so that nothing escapes into WHMCS. */
final class PrivacyBridgeHooks
{
    const EVENTS = [
        'ClientAdd', 'ClientEdit', 'ClientClose', 'PreDeleteClient', 'ClientDelete',
        'ClientChangePassword', 'UserAdd', 'UserEdit', 'UserChangePassword', 'UserLogin',
        'ContactAdd', 'ContactEdit', 'ContactDelete', 'CCUpdate', 'AfterClientMerge', 'DailyCronJob',
    ];
    const UNAVAILABLE = 'Changes to these details are temporarily unavailable. Please try again later.';

    /** @var array{0: ?PrivacyBridgeConfig, 1: string}|null */
    private static $config = null;
    /** @var string why the last synchronous call got no usable answer */
    private static $problem = '';

    public static function register(): void
    {
        foreach (self::EVENTS as $event) {
            add_hook($event, 1, function ($vars = []) use ($event) {
                self::guarded($event, null, function () use ($event, $vars) {
                    self::onEvent($event, is_array($vars) ? $vars : []);
                });
            });
        }
        foreach (['ClientDetailsValidation', 'ContactDetailsValidation'] as $hook) {
            add_hook($hook, 1, function ($vars = []) use ($hook) {
                return self::guarded($hook, [], function () use ($hook, $vars) {
                    return self::onValidation($hook, is_array($vars) ? $vars : []);
                });
            });
        }
        add_hook('EmailPreSend', 1, function ($vars = []) {
            return self::guarded('EmailPreSend', [], function () use ($vars) {
                return self::onEmail(is_array($vars) ? $vars : []);
            });
        });
        foreach (['AdminAreaClientSummaryPage', 'ClientAreaHomepage', 'ClientAreaHeaderOutput'] as $hook) {
            add_hook($hook, 1, function ($vars = []) use ($hook) {
                return self::guarded($hook, '', function () use ($hook, $vars) {
                    return self::onPanel($hook, is_array($vars) ? $vars : []);
                });
            });
        }
        add_hook('AfterCronJob', 1, function ($vars = []) {
            self::guarded('AfterCronJob', null, function () {
                $config = self::config();
                if ($config !== null) {
                    PrivacyBridgeOutbox::flush($config);
                }
            });
        });
    }

    /** The envelope of contract 3.1; outbox_id only for events. */
    public static function envelope(array $stored, ?int $outboxId): array
    {
        $envelope = [
            'event' => $stored['event'],
            'occurred_at' => $stored['occurred_at'],
            'whmcs' => $stored['whmcs'],
            'actor' => $stored['actor'],
        ];
        if ($outboxId !== null) {
            $envelope['outbox_id'] = $outboxId;
        }
        // (object) keeps empty maps as {} in JSON.
        $envelope['vars'] = (object) self::objects($stored['vars']);
        if (!empty($stored['truncated'])) {
            $envelope['truncated'] = array_values($stored['truncated']);
        }
        return $envelope;
    }

    /** An exception as its class, and for a database error its SQLSTATE: never SQL nor values. */
    public static function describe(\Throwable $e): string
    {
        for ($cause = $e; $cause !== null; $cause = $cause->getPrevious()) {
            if ($cause instanceof \PDOException) {
                return get_class($e) . ', SQLSTATE ' . self::sqlState($cause);
            }
        }
        return get_class($e) . ': ' . substr($e->getMessage(), 0, 300);
    }

    public static function log(string $message): void
    {
        try {
            if (function_exists('logActivity')) {
                logActivity('Privacy bridge: ' . $message);
            }
        } catch (\Throwable $e) {
            // Logging must not be the reason a page fails.
        }
    }

    private static function onEvent(string $event, array $vars): void
    {
        $config = self::config();
        if ($config === null) {
            return;
        }
        $forward = PrivacyBridgePayload::event($event, $vars);
        if ($event === 'ClientEdit' && isset($vars['userid'])) {
            $forward += self::quietly(function () use ($vars) {
                return PrivacyBridgeStore::clientBilling((int) $vars['userid']);
            }, []);
        }
        $draft = self::draft($event, $forward, PrivacyBridgeOutbox::ID_PLACEHOLDER);
        try {
            $id = PrivacyBridgeOutbox::add($event, $draft);
        } catch (\Throwable $e) {
            self::log('the outbox could not store a ' . $event . ' event (' . self::describe($e)
                . '), so it is sent once without it');
            PrivacyBridgeOutbox::sendDirect($config, $draft);
            return;
        }
        PrivacyBridgeOutbox::deliverIfFirst($config, $id);
    }

    private static function onValidation(string $hook, array $vars): array
    {
        $config = self::config();
        if ($config === null) {
            return [];
        }
        $clientId = self::formClientId();
        if ($clientId === null && $hook === 'ClientDetailsValidation') {
            return []; // a new sign-up: always allowed (contract 3.2), no need to ask
        }
        $forward = PrivacyBridgePayload::form($hook, $vars);
        $forward['userid'] = $clientId;
        $forward = $hook === 'ContactDetailsValidation'
            ? self::withContact($forward, $clientId)
            : self::withCurrent($forward, self::quietly(function () use ($clientId) {
                return PrivacyBridgeStore::currentClient($clientId);
            }, null));
        list($verdict, $answer) = self::ask($config, '/validate', $hook, $forward);
        if ($verdict === 'unreachable') {
            return $config->failOpen ? [] : [self::UNAVAILABLE];
        }
        if ($verdict === 'answer' && !(isset($answer['allowed']) && is_bool($answer['allowed']))) {
            self::log($hook . ' call got an unusable answer: HTTP 200 without a boolean "allowed"');
            return [self::UNAVAILABLE];
        }
        return $verdict === 'answer' ? self::refusals($answer) : [self::UNAVAILABLE];
    }

    /** Nothing when the bridge said allowed: true; otherwise its messages, or the generic one. */
    private static function refusals(array $answer): array
    {
        if (isset($answer['allowed']) && $answer['allowed'] === true) {
            return [];
        }
        $errors = isset($answer['errors']) && is_array($answer['errors']) ? $answer['errors'] : [];
        $errors = array_values(array_filter(array_map('strval', array_filter($errors, 'is_scalar')), 'strlen'));
        return $errors ?: [self::UNAVAILABLE];
    }

    /**
     * The contact form's contactid as posted (a hidden field of account-contacts-manage.tpl;
     * "new" or none for a new contact), and the stored values of that contact under current,
     * read only when it is a contact of this client.
     */
    private static function withContact(array $forward, ?int $clientId): array
    {
        if (!array_key_exists('contactid', $forward) && isset($_POST['contactid'])) {
            $forward += PrivacyBridgePayload::pick($_POST, ['contactid']);
        }
        $contactId = array_key_exists('contactid', $forward) ? $forward['contactid'] : null;
        if (self::isNewContact($contactId)) {
            unset($forward['contactid']);
            return $forward;
        }
        if ($clientId === null || !is_scalar($contactId) || !preg_match('/^[0-9]+$/', trim((string) $contactId))) {
            return $forward; // no readable contact id: nothing to compare with
        }
        return self::withCurrent($forward, self::quietly(function () use ($clientId, $contactId) {
            return PrivacyBridgeStore::currentContact($clientId, (int) trim((string) $contactId));
        }, null));
    }

    private static function withCurrent(array $forward, ?array $current): array
    {
        if ($current !== null) {
            $forward['current'] = $current;
        }
        return $forward;
    }

    /** @param mixed $contactId absent, "new", "" or 0 mean a contact being added */
    private static function isNewContact($contactId): bool
    {
        if ($contactId === null) {
            return true;
        }
        if (!is_scalar($contactId)) {
            return false; // an array is sent as posted: the bridge treats it as unreadable
        }
        $text = strtolower(trim((string) $contactId));
        return $text === '' || $text === 'new' || (is_numeric($text) && (int) $text <= 0);
    }

    /**
     * Asks the bridge about "general" templates only (custom and marketing mail, relid = the
     * client id); invoice, product, domain, support, affiliate, admin and notification mail, and
     * any template whose type cannot be read, never waits on it.
     *
     * @return array ['abortsend' => true] only when the bridge says so; failures never abort mail
     */
    private static function onEmail(array $vars): array
    {
        $config = self::config();
        $template = isset($vars['messagename']) && is_string($vars['messagename']) ? $vars['messagename'] : '';
        if ($config === null || $template === '') {
            return [];
        }
        $type = self::quietly(function () use ($template) {
            return PrivacyBridgeStore::templateType($template);
        }, null);
        if ($type !== 'general') {
            return [];
        }
        $relid = isset($vars['relid']) && is_numeric($vars['relid']) ? (int) $vars['relid'] : 0;
        $forward = ['messagename' => $template];
        if ($relid > 0) {
            $forward['relid'] = $relid;
        }
        $forward['userid'] = $relid > 0 ? $relid : null;
        list(, $answer) = self::ask($config, '/validate', 'EmailPreSend', $forward);
        return isset($answer['abort']) && $answer['abort'] === true
            ? ['abortsend' => true]
            : [];
    }

    private static function onPanel(string $hook, array $vars): string
    {
        $config = self::config();
        if ($config === null) {
            return '';
        }
        if ($hook === 'AdminAreaClientSummaryPage') {
            $clientId = isset($vars['userid']) && is_numeric($vars['userid']) ? (int) $vars['userid'] : null;
        } elseif ($hook === 'ClientAreaHeaderOutput' && !self::isAccountDetailsPage()) {
            return '';
        } else {
            $clientId = PrivacyBridgeContext::clientId();
        }
        if ($clientId === null) {
            return '';
        }
        $forward = ['userid' => $clientId];
        if ($hook === 'AdminAreaClientSummaryPage') {
            $forward['outbox'] = PrivacyBridgeOutbox::health();
        }
        list(, $answer) = self::ask($config, '/panel', $hook, $forward);
        if (isset($answer['html']) && is_string($answer['html'])) {
            return $answer['html'];
        }
        return $hook === 'AdminAreaClientSummaryPage' ? self::offlinePanel($forward['outbox']) : '';
    }

    /**
     * A synchronous call. Returns ['answer', the JSON object of a 200]; ['unreachable', []] for no
     * answer, a timeout or a 5xx (the only case fail_open covers); ['unusable', []] for any other
     * answer (a 4xx, a 200 without a JSON object), which is logged.
     */
    private static function ask(PrivacyBridgeConfig $config, string $path, string $event, array $vars): array
    {
        $body = PrivacyBridgeHttp::json(self::envelope(self::draft($event, $vars, null), null));
        $answer = PrivacyBridgeHttp::post(
            $config, PrivacyBridgeOutbox::PATH . $path, PrivacyBridgeHttp::newId(), $body, $config->validateTimeoutMs
        );
        $status = $answer['status'];
        if ($status === 0 || $status >= 500) {
            self::$problem = $status === 0 ? $answer['error'] : 'HTTP ' . $status;
            return ['unreachable', []];
        }
        $decoded = $status === 200 ? self::jsonObject($answer['body']) : null;
        if ($decoded !== null) {
            return ['answer', $decoded];
        }
        if ($status === 401) {
            self::$problem = 'HTTP 401: the bridge rejected the signature, check webhook_secret';
            self::log(self::$problem . ' (' . $event . ')');
        } else {
            self::$problem = $status === 200 ? 'HTTP 200 without a JSON object' : 'HTTP ' . $status;
            self::log($event . ' call got an unusable answer: ' . self::$problem);
        }
        return ['unusable', []];
    }

    /** A JSON object as an array; null for anything else (a list, a scalar, not JSON). */
    private static function jsonObject(string $body): ?array
    {
        $decoded = json_decode($body);
        return is_object($decoded) ? json_decode($body, true) : null;
    }

    /**
     * The envelope as stored: everything but outbox_id, with vars fitted to the bridge's limits
     * as they will be sent (with an outbox_id of $outboxId's length, for events).
     */
    private static function draft(string $event, array $vars, ?int $outboxId): array
    {
        $draft = [
            'event' => $event,
            'occurred_at' => gmdate('Y-m-d\TH:i:s\Z'),
            'whmcs' => [
                'version' => substr((string) PrivacyBridgeStore::setting('Version'), 0, 32) ?: 'unknown',
                'system_url' => PrivacyBridgeStore::setting('SystemURL') ?: null,
            ],
            'actor' => PrivacyBridgeContext::actor(),
        ];
        $encode = function (array $vars, array $truncated) use ($draft, $outboxId) {
            return PrivacyBridgeHttp::json(self::envelope($draft + ['vars' => $vars, 'truncated' => $truncated], $outboxId));
        };
        list($draft['vars'], $truncated) = PrivacyBridgeLimits::fit($vars, $encode);
        if ($truncated) {
            $draft['truncated'] = $truncated;
        }
        return $draft;
    }

    /** Client area: the active client account; admin area: the request's userid. */
    private static function formClientId(): ?int
    {
        if (PrivacyBridgeContext::isAdminArea()) {
            $id = isset($_REQUEST['userid']) && is_numeric($_REQUEST['userid']) ? (int) $_REQUEST['userid'] : 0;
            return $id > 0 ? $id : null;
        }
        return PrivacyBridgeContext::clientId();
    }

    private static function isAccountDetailsPage(): bool
    {
        return PrivacyBridgeContext::script() === 'clientarea.php'
            && isset($_GET['action']) && $_GET['action'] === 'details';
    }

    private static function offlinePanel(array $outbox): string
    {
        $error = self::quietly(function () {
            return PrivacyBridgeOutbox::lastError();
        }, null);
        $text = 'Privacy bridge unreachable (' . self::$problem . '). Outbox: ' . $outbox['pending']
            . ' pending, ' . $outbox['dead'] . ' dead' . ($error !== null ? '; last delivery error: ' . $error : '') . '.';
        return '<div class="alert alert-warning privacy-bridge-offline">'
            . htmlspecialchars($text, ENT_QUOTES, 'UTF-8') . '</div>';
    }

    /** The usable config, or null after logging (once a day) why there is none. */
    private static function config(): ?PrivacyBridgeConfig
    {
        if (self::$config === null) {
            try {
                self::$config = PrivacyBridgeConfig::load(__DIR__);
            } catch (\Throwable $e) {
                self::$config = [null, PrivacyBridgeConfig::FILE . ' could not be read'];
            }
            if (self::$config[0] === null) {
                $problem = self::$config[1];
                if (self::quietly(function () { return PrivacyBridgeStore::firstTimeToday(); }, false)) {
                    self::log('not configured, nothing is sent (' . $problem . ')');
                }
            }
        }
        return self::$config[0];
    }

    /**
     * Runs a hook body; anything thrown is logged and the hook's neutral value returned.
     *
     * @param mixed $neutral
     * @return mixed
     */
    private static function guarded(string $hook, $neutral, callable $body)
    {
        try {
            $result = $body();
            return $result === null ? $neutral : $result;
        } catch (\Throwable $e) {
            self::log('internal error in ' . $hook . ' hook: ' . self::describe($e));
            return $neutral;
        }
    }

    /**
     * A best-effort read: its failure must not stop the hook.
     *
     * @param mixed $fallback
     * @return mixed
     */
    private static function quietly(callable $read, $fallback)
    {
        try {
            return $read();
        } catch (\Throwable $e) {
            return $fallback;
        }
    }

    private static function sqlState(\PDOException $e): string
    {
        $info = $e->errorInfo;
        $state = is_array($info) && isset($info[0]) ? $info[0] : $e->getCode();
        return is_string($state) && preg_match('/^[0-9A-Z]{5}$/', $state) ? $state : 'unknown';
    }

    /** Empty maps inside vars must stay JSON objects, not lists. */
    private static function objects(array $vars): array
    {
        foreach (['olddata', 'current', 'outbox', 'email_preferences'] as $key) {
            if (isset($vars[$key]) && $vars[$key] === []) {
                $vars[$key] = new \stdClass();
            }
        }
        return $vars;
    }
}

if (function_exists('add_hook')) {
    PrivacyBridgeHooks::register();
}
