<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

use WHMCS\Database\Capsule;

/**
 * The customer privacy page (index.php?m=privacy_bridge, contract 11): the bridge's
 * ClientAreaPrivacyPage html, and "Download my data" after the customer re-enters their password.
 * The client is always the logged-in one (the session), never a value of the request.
 */
final class PrivacyPage
{
    const URI = 'index.php?m=privacy_bridge';
    const TOKEN_NAMESPACE = 'WHMCS.default';

    /** @var BridgeCall */
    private $bridge;
    /** @var RequestContext */
    private $context;
    /** @var Lang */
    private $lang;
    /** @var ActivityLog */
    private $log;

    public function __construct(BridgeCall $bridge, RequestContext $context, Lang $lang, ActivityLog $log)
    {
        $this->bridge = $bridge;
        $this->context = $context;
        $this->lang = $lang;
        $this->log = $log;
    }

    public static function create(): self
    {
        $clock = new SystemClock();
        $log = new ActivityLog($clock);
        $context = new RequestContext();
        $http = new HttpClient($clock);
        $bridge = new BridgeCall($http, new Envelope(new WhmcsData(), $context, $clock), $log);
        return new self($bridge, $context, new Lang(), $log);
    }

    /**
     * What _clientarea answers: WHMCS's page array, or ['download' => {filename, body}] for a
     * checked export (privacy_bridge_clientarea sends that and ends the request).
     */
    public static function respond($vars): array
    {
        return self::create()->handle(is_array($vars) ? $vars : []);
    }

    public function handle(array $vars): array
    {
        $clientId = $this->context->clientId();
        list($settings) = self::settings();
        if ($clientId === null || $settings === null) {
            return $this->page('', $this->lang->get('privacy_unavailable'));
        }
        $notice = '';
        if ($this->isExportRequest()) {
            list($download, $notice) = $this->export($settings, $clientId);
            if ($download !== null) {
                return ['download' => $download];
            }
        }
        list(, $answer) = $this->bridge->ask($settings, '/panel', Vocabulary::PRIVACY_PAGE_EVENT, ['userid' => $clientId]);
        if (!isset($answer['html']) || !is_string($answer['html'])) {
            return $this->page('', $notice !== '' ? $notice : $this->lang->get('privacy_unavailable'));
        }
        return $this->page(self::withToken($answer['html']), $notice);
    }

    /** @return array{0: ?array{filename: string, body: string}, 1: string} the download, or why not */
    private function export(Settings $settings, int $clientId): array
    {
        if (!self::tokenIsValid()) {
            return [null, $this->lang->get('privacy_bad_token')];
        }
        $field = Vocabulary::EXPORT_PASSWORD_FIELD;
        $password = isset($_POST[$field]) && is_string($_POST[$field]) ? $_POST[$field] : '';
        $email = $this->loginEmail($clientId);
        if ($password === '' || $email === null || !self::passwordIsValid($email, $password)) {
            return [null, $this->lang->get('privacy_wrong_password')];
        }
        list($kind, $answer) = $this->bridge->ask($settings, '/export', Vocabulary::EXPORT_EVENT, ['userid' => $clientId]);
        if ($kind !== 'answer') {
            return [null, $this->lang->get('privacy_export_failed')];
        }
        $body = Json::encode($answer);
        return [['filename' => 'my-data-' . $clientId . '-' . gmdate('Y-m-d') . '.json', 'body' => $body], ''];
    }

    /** Sends an export as a file download. */
    public static function send(array $download): void
    {
        header('Content-Type: application/json; charset=utf-8');
        header('Content-Disposition: attachment; filename="' . $download['filename'] . '"');
        header('Cache-Control: no-store');
        header('X-Content-Type-Options: nosniff');
        echo $download['body'];
    }

    private function page(string $html, string $notice): array
    {
        return [
            'pagetitle' => $this->lang->get('client_page_title'),
            'breadcrumb' => [self::URI => $this->lang->get('client_page_title')],
            'templatefile' => 'templates/clientarea',
            'requirelogin' => true,
            'forcessl' => true,
            'vars' => ['privacy_html' => $html, 'privacy_notice' => $notice],
        ];
    }

    private function isExportRequest(): bool
    {
        return isset($_SERVER['REQUEST_METHOD']) && $_SERVER['REQUEST_METHOD'] === 'POST'
            && isset($_POST[Vocabulary::EXPORT_ACTION_FIELD])
            && $_POST[Vocabulary::EXPORT_ACTION_FIELD] === Vocabulary::EXPORT_ACTION;
    }

    /** WHMCS's own CSRF check of the client area; without WHMCS's token functions, nothing passes. */
    private static function tokenIsValid(): bool
    {
        if (!function_exists('check_token') || !function_exists('generate_token')) {
            return false;
        }
        $sent = isset($_POST['token']) && is_string($_POST['token']) ? $_POST['token'] : '';
        $expected = (string) generate_token('plain');
        if ($sent === '' || $expected === '' || !hash_equals($expected, $sent)) {
            return false;
        }
        return check_token(self::TOKEN_NAMESPACE) !== false;
    }

    /** The logged-in user's login address (WHMCS 8), else the client account's. */
    private function loginEmail(int $clientId): ?string
    {
        if (class_exists('WHMCS\Authentication\CurrentUser')) {
            $user = (new \WHMCS\Authentication\CurrentUser())->user();
            if (is_object($user) && isset($user->email) && is_string($user->email) && $user->email !== '') {
                return $user->email;
            }
        }
        $email = Capsule::table('tblclients')->where('id', $clientId)->value('email');
        return is_string($email) && $email !== '' ? $email : null;
    }

    private static function passwordIsValid(string $email, string $password): bool
    {
        if (!function_exists('localAPI')) {
            return false;
        }
        $result = localAPI('ValidateLogin', ['email' => $email, 'password2' => $password]);
        return is_array($result) && isset($result['result']) && $result['result'] === 'success';
    }

    /** Adds WHMCS's CSRF token field to each POST form of the bridge's html. */
    private static function withToken(string $html): string
    {
        if (!function_exists('generate_token')) {
            return $html;
        }
        $field = (string) generate_token('form');
        return (string) preg_replace('~<form\b[^>]*\bmethod\s*=\s*["\']?post["\']?[^>]*>~i', '$0' . $field, $html);
    }

    /** @return array{0: ?Settings, 1: string} */
    private static function settings(): array
    {
        try {
            return Settings::fromValues((new SettingsStore())->values());
        } catch (\Throwable $e) {
            return [null, 'the module settings could not be read'];
        }
    }
}
