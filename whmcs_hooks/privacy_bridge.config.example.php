<?php
/*
 * WHMCS Privacy Bridge: settings for privacy_bridge.php.
 *
 * Copy this file to privacy_bridge.config.php in the same folder (includes/hooks/) and fill in
 * the first two values. WHMCS loads every .php file in includes/hooks, so this file only returns
 * an array and does nothing else. Keep the copy readable by the web server user only.
 */
return [
    // Base URL of the bridge. Must be https:// unless the bridge runs on a loopback address.
    'bridge_url' => 'https://privacy-bridge.example.com',

    // The bridge's BRIDGE_WEBHOOK_SECRET ("whsec_" followed by base64). During a rotation list the
    // new secret first: 'whsec_new...,whsec_old...'; every attempt is signed with each of them.
    'webhook_secret' => 'whsec_REPLACE_ME',

    // Events are written to the outbox first; the immediate delivery gives up after these
    // limits and the cron run retries later.
    'connect_timeout_ms' => 1000,
    'timeout_ms' => 2000,

    // Validation (profile forms, EmailPreSend) and panel calls happen inside a page request.
    'validate_timeout_ms' => 1500,

    // true: when the bridge cannot be reached, profile changes go through and are checked
    // afterwards from the ClientEdit event. false: the form is refused until the bridge answers.
    'fail_open' => true,

    // Delivery attempts (with exponential backoff, capped at 6 hours) before an event is marked
    // dead and shown in the admin client summary.
    'max_attempts' => 20,
];
