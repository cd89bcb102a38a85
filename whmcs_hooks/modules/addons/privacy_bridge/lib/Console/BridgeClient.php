<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** The staff API over curl: every call carries the console token and the acting admin and role,
 * with short timeouts and no redirects. Failures become a BridgeReply with status 0, never an error. */
class BridgeClient
{
    /** @var Settings */
    private $settings;
    /** @var ActingAdmin */
    private $admin;

    public function __construct(Settings $settings, ActingAdmin $admin)
    {
        $this->settings = $settings;
        $this->admin = $admin;
    }

    public function get(string $path, array $query = []): BridgeReply
    {
        $suffix = $query ? '?' . http_build_query($query) : '';
        return $this->send('GET', $path . $suffix, null, []);
    }

    public function post(string $path, array $body): BridgeReply
    {
        return $this->send('POST', $path, json_encode($body), ['Content-Type: application/json']);
    }

    public function delete(string $path): BridgeReply
    {
        return $this->send('DELETE', $path, null, []);
    }

    /** A request without staff headers (health checks, signed hook calls). */
    public function raw(string $method, string $path, ?string $body, array $headers): BridgeReply
    {
        return $this->exchange($method, $path, $body, $headers);
    }

    private function send(string $method, string $path, ?string $body, array $headers): BridgeReply
    {
        $headers[] = 'Authorization: Bearer ' . $this->settings->get('console_token');
        $headers[] = 'X-Acting-Admin: ' . self::headerValue($this->admin->username);
        $headers[] = 'X-Acting-Role: ' . $this->admin->role;
        return $this->exchange($method, $path, $body, $headers);
    }

    private function exchange(string $method, string $path, ?string $body, array $headers): BridgeReply
    {
        $base = $this->settings->bridgeUrl();
        if ($base === '' || !function_exists('curl_init')) {
            return new BridgeReply(0, null);
        }
        $curl = curl_init($base . $path);
        curl_setopt_array($curl, $this->options($method, $body, array_merge($headers, ['Accept: application/json'])));
        $text = curl_exec($curl);
        $status = $text === false ? 0 : (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        curl_close($curl);
        $data = is_string($text) ? json_decode($text, true) : null;
        return new BridgeReply($status, is_array($data) ? $data : null);
    }

    private function options(string $method, ?string $body, array $headers): array
    {
        $options = [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_CONNECTTIMEOUT_MS => $this->settings->millis('connect_timeout_ms', 1000),
            CURLOPT_TIMEOUT_MS => $this->settings->millis('timeout_ms', 5000),
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_NOSIGNAL => true,
        ];
        if (defined('CURLOPT_PROTOCOLS')) {
            $options[CURLOPT_PROTOCOLS] = CURLPROTO_HTTP | CURLPROTO_HTTPS;
        }
        if ($body !== null) {
            $options[CURLOPT_POSTFIELDS] = $body;
        }
        return $options;
    }

    /** A header value cannot carry line breaks (header injection); anything else travels as is. */
    private static function headerValue(string $value): string
    {
        return str_replace(["\r", "\n", "\0"], '', $value);
    }
}
