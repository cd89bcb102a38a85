<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** One answer from the bridge: its status (0 when it could not be reached) and decoded JSON. */
class BridgeReply
{
    /** @var int */
    public $status;
    /** @var array|null */
    public $data;

    public function __construct(int $status, ?array $data)
    {
        $this->status = $status;
        $this->data = $data;
    }

    public function ok(): bool
    {
        return $this->status >= 200 && $this->status < 300;
    }

    /** Connection refused, timeout, a redirect we never follow, or a 5xx. */
    public function unreachable(): bool
    {
        return $this->status === 0 || $this->status >= 500 || ($this->status >= 300 && $this->status < 400);
    }

    public function forbidden(): bool
    {
        return $this->status === 403 && $this->slug() !== 'verification-required';
    }

    /** The problem document's slug (`/problems/<slug>`), or ''. */
    public function slug(): string
    {
        $type = isset($this->data['type']) && is_string($this->data['type']) ? $this->data['type'] : '';
        $slash = strrpos($type, '/');
        return $slash === false ? $type : substr($type, $slash + 1);
    }

    /** The problem document's detail and per-field errors as plain lines (escaped when shown). */
    public function problemLines(): array
    {
        $lines = [];
        foreach (['title', 'detail'] as $key) {
            if (isset($this->data[$key]) && is_string($this->data[$key])) {
                $lines[] = $this->data[$key];
            }
        }
        $errors = isset($this->data['errors']) && is_array($this->data['errors']) ? $this->data['errors'] : [];
        foreach ($errors as $field => $messages) {
            $lines[] = $field . ': ' . implode('; ', array_map('strval', array_filter((array) $messages, 'is_scalar')));
        }
        return array_values(array_unique($lines));
    }
}
