<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/**
 * What may leave WHMCS: an allow-list of keys per hook, then a deny-list as a second line. Pure.
 * The field names come from Vocabulary (generated from the bridge's vocabulary).
 */
final class Payload
{
    const CONTACT = Vocabulary::CONTACT_FIELDS;
    // A client's billing, consent and account settings, and tblclients' name of the gateway.
    const CLIENT_SETTINGS = [
        ...Vocabulary::BILLING_HOOK_FIELDS, ...Vocabulary::CONSENT_FIELDS, Vocabulary::EMAIL_PREFERENCES,
        ...Vocabulary::ACCOUNT_FIELDS, Vocabulary::GATEWAY_COLUMN,
    ];
    const CONTACT_SETTINGS = [Vocabulary::TAX_ID, ...Vocabulary::CONTACT_SWITCHES];
    const USER = ['user_id', ...Vocabulary::USER_FIELDS];
    // The consent fields of the client forms: the templates post the marketing checkbox as
    // "marketingoptin" (docs/whmcs-forms.md); the others come from the admin area and the API.
    const CONSENT_FORM = Vocabulary::CONSENT_FORM;
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
        $fields = $event === Vocabulary::CONTACT_VALIDATION_EVENT
            ? array_merge(['contactid'], self::CONTACT, self::CONTACT_SETTINGS, [Vocabulary::EMAIL_PREFERENCES])
            : array_merge(self::CONTACT, Vocabulary::BILLING_HOOK_FIELDS, self::CONSENT_FORM);
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
        $out = self::pick($vars, array_merge(['userid'], Vocabulary::CARD_FIELDS));
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
