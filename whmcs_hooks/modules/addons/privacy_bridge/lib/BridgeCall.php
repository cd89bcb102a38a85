<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** The synchronous endpoints (/validate, /panel): one signed call inside a page request. */
final class BridgeCall
{
    /** @var HttpClient */
    private $http;
    /** @var Envelope */
    private $envelopes;
    /** @var ActivityLog */
    private $log;
    /** @var string why the last call got no usable answer */
    private $problem = '';

    public function __construct(HttpClient $http, Envelope $envelopes, ActivityLog $log)
    {
        $this->http = $http;
        $this->envelopes = $envelopes;
        $this->log = $log;
    }

    /**
     * Returns ['answer', the JSON object of a 200]; ['unreachable', []] for no answer, a timeout
     * or a 5xx (the only case fail_open covers); ['unusable', []] for any other answer (a 4xx, a
     * 200 without a JSON object), which is logged.
     */
    public function ask(Settings $settings, string $path, string $event, array $vars): array
    {
        $body = Json::encode(Envelope::envelope($this->envelopes->draft($event, $vars, null), null));
        $answer = $this->http->post($settings, Outbox::PATH . $path, Json::newId(), $body, $settings->validateTimeoutMs);
        $status = $answer['status'];
        if ($status === 0 || $status >= 500) {
            $this->problem = $status === 0 ? $answer['error'] : 'HTTP ' . $status;
            return ['unreachable', []];
        }
        $decoded = $status === 200 ? Json::object($answer['body']) : null;
        if ($decoded !== null) {
            return ['answer', $decoded];
        }
        if ($status === 401) {
            $this->problem = 'HTTP 401: the bridge rejected the signature, check webhook_secret';
            $this->log->log($this->problem . ' (' . $event . ')');
        } else {
            $this->problem = $status === 200 ? 'HTTP 200 without a JSON object' : 'HTTP ' . $status;
            $this->log->log($event . ' call got an unusable answer: ' . $this->problem);
        }
        return ['unusable', []];
    }

    public function problem(): string
    {
        return $this->problem;
    }
}
