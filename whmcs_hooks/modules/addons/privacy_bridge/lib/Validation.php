<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** ClientDetailsValidation, ContactDetailsValidation and EmailPreSend: ask before the change. */
final class Validation
{
    const UNAVAILABLE = 'Changes to these details are temporarily unavailable. Please try again later.';

    /** @var BridgeCall */
    private $bridge;
    /** @var WhmcsData */
    private $data;
    /** @var RequestContext */
    private $context;
    /** @var ActivityLog */
    private $log;

    public function __construct(BridgeCall $bridge, WhmcsData $data, RequestContext $context, ActivityLog $log)
    {
        $this->bridge = $bridge;
        $this->data = $data;
        $this->context = $context;
        $this->log = $log;
    }

    /** The form's refusals: none when allowed, or when unreachable with fail_open. */
    public function form(Settings $settings, string $hook, array $vars): array
    {
        $clientId = $this->formClientId();
        if ($clientId === null && $hook === Vocabulary::CLIENT_VALIDATION_EVENT) {
            return []; // a new sign-up: always allowed (contract 3.2), no need to ask
        }
        $forward = Payload::form($hook, $vars);
        $forward['userid'] = $clientId;
        $data = $this->data;
        $forward = $hook === Vocabulary::CONTACT_VALIDATION_EVENT
            ? $this->withContact($forward, $clientId)
            : self::withCurrent($forward, Quietly::read(function () use ($data, $clientId) {
                return $data->currentClient($clientId);
            }, null));
        list($verdict, $answer) = $this->bridge->ask($settings, '/validate', $hook, $forward);
        if ($verdict === 'unreachable') {
            return $settings->failOpen ? [] : [self::UNAVAILABLE];
        }
        if ($verdict === 'answer' && !(isset($answer['allowed']) && is_bool($answer['allowed']))) {
            $this->log->log($hook . ' call got an unusable answer: HTTP 200 without a boolean "allowed"');
            return [self::UNAVAILABLE];
        }
        return $verdict === 'answer' ? self::refusals($answer) : [self::UNAVAILABLE];
    }

    /**
     * Asks the bridge about "general" templates only (custom and marketing mail, relid = the
     * client id); any other type, or a type that cannot be read, never waits on it.
     *
     * @return array ['abortsend' => true] only when the bridge says so; failures never abort mail
     */
    public function email(Settings $settings, array $vars): array
    {
        $template = isset($vars['messagename']) && is_string($vars['messagename']) ? $vars['messagename'] : '';
        $data = $this->data;
        $type = $template === '' ? null : Quietly::read(function () use ($data, $template) {
            return $data->templateType($template);
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
        list(, $answer) = $this->bridge->ask($settings, '/validate', Vocabulary::EMAIL_EVENT, $forward);
        return isset($answer['abort']) && $answer['abort'] === true ? ['abortsend' => true] : [];
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
    private function withContact(array $forward, ?int $clientId): array
    {
        if (!array_key_exists('contactid', $forward) && isset($_POST['contactid'])) {
            $forward += Payload::pick($_POST, ['contactid']);
        }
        $contactId = array_key_exists('contactid', $forward) ? $forward['contactid'] : null;
        if (self::isNewContact($contactId)) {
            unset($forward['contactid']);
            return $forward;
        }
        if ($clientId === null || !is_scalar($contactId) || !preg_match('/^[0-9]+$/', trim((string) $contactId))) {
            return $forward; // no readable contact id: nothing to compare with
        }
        $data = $this->data;
        return self::withCurrent($forward, Quietly::read(function () use ($data, $clientId, $contactId) {
            return $data->currentContact($clientId, (int) trim((string) $contactId));
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

    /** Client area: the active client account; admin area: the request's userid. */
    private function formClientId(): ?int
    {
        if ($this->context->isAdminArea()) {
            $id = isset($_REQUEST['userid']) && is_numeric($_REQUEST['userid']) ? (int) $_REQUEST['userid'] : 0;
            return $id > 0 ? $id : null;
        }
        return $this->context->clientId();
    }
}
