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
    const CONSENT_FORM = ['marketing_emails_opt_in', 'emailoptout', 'email_preferences'];
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

    /** The vars of a validation hook (the posted form), reduced to the profile fields. */
    public static function form(string $event, array $vars): array
    {
        $fields = $event === 'ContactDetailsValidation'
            ? array_merge(['contactid'], self::CONTACT, self::CONTACT_SETTINGS)
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

    /** A login identity as {id, firstname, lastname, email}, whatever WHMCS handed over. */
    public static function person($user): ?array
    {
        if (!is_object($user) && !is_array($user)) {
            return null;
        }
        $out = [];
        foreach (['id', 'firstname', 'lastname', 'email'] as $key) {
            $value = is_array($user)
                ? (isset($user[$key]) ? $user[$key] : null)
                : (isset($user->$key) ? $user->$key : null);
            $out[$key] = is_scalar($value) ? $value : null;
        }
        $out['id'] = $out['id'] === null ? null : (int) $out['id'];
        return $out;
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
    // relid of EmailPreSend depends on the template type (reference 2.5).
    const RELID_OWNER = [
        'product' => ['tblhosting', 'userid'],
        'domain' => ['tbldomains', 'userid'],
        'invoice' => ['tblinvoices', 'userid'],
        'support' => ['tbltickets', 'userid'],
        'affiliate' => ['tblaffiliates', 'clientid'],
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

    /** The client behind an email: relid is a client id only for "general" templates. */
    public static function emailClient(string $template, int $relid): ?int
    {
        if ($relid <= 0) {
            return null;
        }
        $type = \WHMCS\Database\Capsule::table('tblemailtemplates')
            ->where('name', $template)->orderBy('id')->value('type');
        if ($type === 'general') {
            return $relid;
        }
        if (!is_string($type) || !isset(self::RELID_OWNER[$type])) {
            return null;
        }
        list($table, $column) = self::RELID_OWNER[$type];
        $owner = \WHMCS\Database\Capsule::table($table)->where('id', $relid)->value($column);
        return is_numeric($owner) && (int) $owner > 0 ? (int) $owner : null;
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

    /** Delivers a new row at once unless an older one is still pending (order is kept). */
    public static function deliverIfFirst(PrivacyBridgeConfig $config, int $id): void
    {
        $older = self::pending()->where('id', '<', $id)->exists();
        if (!$older) {
            $row = \WHMCS\Database\Capsule::table(self::TABLE)->where('id', $id)->first();
            if ($row !== null) {
                self::attempt($config, $row);
            }
        }
    }

    /** Retries pending rows oldest first; stops at the first row that must wait or fails again. */
    public static function flush(PrivacyBridgeConfig $config): void
    {
        self::ensureTable();
        self::prune();
        $started = microtime(true);
        $rows = self::pending()->orderBy('id')->limit(self::FLUSH_MAX_ROWS)->get();
        foreach ($rows as $row) {
            if ($row->next_attempt_at !== null && $row->next_attempt_at > self::now()) {
                return;
            }
            if (self::attempt($config, $row) === 'retry' || microtime(true) - $started > self::FLUSH_MAX_SECONDS) {
                return;
            }
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
    private static function attempt(PrivacyBridgeConfig $config, $row): string
    {
        $body = PrivacyBridgeHttp::json(self::envelope($row));
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

    private static function envelope($row): array
    {
        $stored = json_decode((string) $row->payload, true);
        if (!is_array($stored)) {
            throw new \RuntimeException('outbox row ' . $row->id . ' has no payload');
        }
        return PrivacyBridgeHooks::envelope($stored, (int) $row->id);
    }

    private static function prune(): void
    {
        $cutoff = gmdate('Y-m-d H:i:s', time() - self::KEEP_DAYS * 86400);
        \WHMCS\Database\Capsule::table(self::TABLE)->where('delivered_at', '<', $cutoff)->delete();
        \WHMCS\Database\Capsule::table(self::TABLE)->where('dead_at', '<', $cutoff)->delete();
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
        return $envelope;
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
        $id = PrivacyBridgeOutbox::add($event, self::draft($event, $forward));
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
        if (isset($forward['contactid']) && (!is_numeric($forward['contactid']) || (int) $forward['contactid'] <= 0)) {
            unset($forward['contactid']); // "new" or 0: a contact being added
        }
        $current = $clientId === null ? null : self::current($hook, $clientId, $vars);
        if ($current !== null) {
            $forward['current'] = $current;
        }
        list($verdict, $answer) = self::ask($config, '/validate', $hook, $forward);
        if ($verdict !== 'answer') {
            return $verdict === 'refuse' ? [self::UNAVAILABLE] : [];
        }
        $errors = isset($answer['errors']) && is_array($answer['errors']) ? $answer['errors'] : [];
        $errors = array_values(array_filter(array_map('strval', array_filter($errors, 'is_scalar')), 'strlen'));
        if (!$errors && isset($answer['allowed']) && $answer['allowed'] === false) {
            $errors = [self::UNAVAILABLE];
        }
        return $errors;
    }

    /** @return array ['abortsend' => true] only when the bridge says so; failures never abort mail */
    private static function onEmail(array $vars): array
    {
        $config = self::config();
        $template = isset($vars['messagename']) && is_string($vars['messagename']) ? $vars['messagename'] : '';
        if ($config === null || $template === '') {
            return [];
        }
        $relid = isset($vars['relid']) && is_numeric($vars['relid']) ? (int) $vars['relid'] : 0;
        $forward = ['messagename' => $template];
        if ($relid > 0) {
            $forward['relid'] = $relid;
        }
        $forward['userid'] = self::quietly(function () use ($template, $relid) {
            return PrivacyBridgeStore::emailClient($template, $relid);
        }, null);
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
     * A synchronous call. Returns ['answer', decoded JSON], or ['refuse', []] when the form must
     * be refused, or ['carry_on', []] when the hook should go on as if the bridge had said yes.
     */
    private static function ask(PrivacyBridgeConfig $config, string $path, string $event, array $vars): array
    {
        $body = PrivacyBridgeHttp::json(self::envelope(self::draft($event, $vars), null));
        $answer = PrivacyBridgeHttp::post(
            $config, PrivacyBridgeOutbox::PATH . $path, PrivacyBridgeHttp::newId(), $body, $config->validateTimeoutMs
        );
        $decoded = json_decode($answer['body'], true);
        if ($answer['status'] === 200 && is_array($decoded)) {
            return ['answer', $decoded];
        }
        if ($answer['status'] === 401) {
            self::$problem = 'HTTP 401: the bridge rejected the signature, check webhook_secret';
            self::log(self::$problem . ' (' . $event . ')');
            return ['refuse', []];
        }
        self::$problem = $answer['status'] === 0 ? $answer['error'] : 'HTTP ' . $answer['status'];
        if ($answer['status'] !== 0 && $answer['status'] < 500) {
            self::log($event . ' call got an unusable answer: ' . self::$problem);
        }
        return [$config->failOpen || $path === '/panel' ? 'carry_on' : 'refuse', []];
    }

    /** The envelope as stored: everything but outbox_id. */
    private static function draft(string $event, array $vars): array
    {
        return [
            'event' => $event,
            'occurred_at' => gmdate('Y-m-d\TH:i:s\Z'),
            'whmcs' => [
                'version' => substr((string) PrivacyBridgeStore::setting('Version'), 0, 32) ?: 'unknown',
                'system_url' => PrivacyBridgeStore::setting('SystemURL') ?: null,
            ],
            'actor' => PrivacyBridgeContext::actor(),
            'vars' => $vars,
        ];
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

    private static function current(string $hook, int $clientId, array $vars): ?array
    {
        if ($hook === 'ClientDetailsValidation') {
            return self::quietly(function () use ($clientId) {
                return PrivacyBridgeStore::currentClient($clientId);
            }, null);
        }
        $contactId = isset($vars['contactid']) ? $vars['contactid'] : (isset($_REQUEST['contactid']) ? $_REQUEST['contactid'] : 0);
        if (!is_numeric($contactId) || (int) $contactId <= 0) {
            return null; // a new contact is not protected
        }
        return self::quietly(function () use ($clientId, $contactId) {
            return PrivacyBridgeStore::currentContact($clientId, (int) $contactId);
        }, null);
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
            self::log('internal error in ' . $hook . ' hook: ' . get_class($e) . ': '
                . substr($e->getMessage(), 0, 300));
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
