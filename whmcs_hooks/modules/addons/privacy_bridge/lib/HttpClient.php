<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** One signed POST to the bridge with hard timeouts; never throws for network trouble. */
final class HttpClient
{
    const USER_AGENT = 'WHMCS-Privacy-Bridge-Module/2.0';

    /** @var Clock */
    private $clock;

    public function __construct(Clock $clock)
    {
        $this->clock = $clock;
    }

    /** @return array{status: int, body: string, error: string} status 0 = no HTTP answer */
    public function post(Settings $settings, string $path, string $webhookId, string $body, int $timeoutMs): array
    {
        $timestamp = (string) $this->clock->now();
        $headers = [
            'Content-Type: application/json',
            'Accept: application/json',
            'Expect:', // curl would otherwise wait for "100 Continue" on larger bodies
            'webhook-id: ' . $webhookId,
            'webhook-timestamp: ' . $timestamp,
            'webhook-signature: ' . self::signature($settings->keys, $webhookId . '.' . $timestamp . '.' . $body),
        ];
        $handle = curl_init($settings->url . $path);
        curl_setopt_array($handle, [
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_NOSIGNAL => true, // needed for timeouts below one second
            CURLOPT_CONNECTTIMEOUT_MS => min($settings->connectTimeoutMs, $timeoutMs),
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
}
