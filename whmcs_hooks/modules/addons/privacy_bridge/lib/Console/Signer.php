<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** Standard Webhooks headers for one body, with the module's webhook secret (contract section 3). */
class Signer
{
    /** @return string[]|null curl header lines, or null when the secret is not a whsec_ value */
    public static function headers(string $secret, string $body, int $timestamp): ?array
    {
        if (strpos($secret, 'whsec_') !== 0) {
            return null;
        }
        $key = base64_decode(substr($secret, 6), true);
        if ($key === false || $key === '') {
            return null;
        }
        $id = 'msg_' . bin2hex(random_bytes(12));
        $mac = base64_encode(hash_hmac('sha256', $id . '.' . $timestamp . '.' . $body, $key, true));
        return ['webhook-id: ' . $id, 'webhook-timestamp: ' . $timestamp, 'webhook-signature: v1,' . $mac,
            'Content-Type: application/json'];
    }
}
