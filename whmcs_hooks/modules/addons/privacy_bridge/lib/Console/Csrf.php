<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** WHMCS's own CSRF token: generate_token('plain') in every form, check_token() before any action. */
class Csrf
{
    public function token(): string
    {
        return function_exists('generate_token') ? (string) generate_token('plain') : '';
    }

    /** WHMCS's check_token ends the request itself on a bad token; a false answer or an exception
     * from it is treated the same way: refused. */
    public function valid(): bool
    {
        if (!function_exists('check_token') || !isset($_POST['token']) || !is_string($_POST['token'])) {
            return false;
        }
        try {
            return check_token('WHMCS.admin.default') !== false;
        } catch (\Throwable $refused) {
            return false;
        }
    }
}
