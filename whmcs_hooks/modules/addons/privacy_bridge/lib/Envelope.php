<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** Builds the envelope of contract 3.1: the stored draft, and the envelope as it is sent. */
final class Envelope
{
    /** @var WhmcsData */
    private $data;
    /** @var RequestContext */
    private $context;
    /** @var Clock */
    private $clock;

    public function __construct(WhmcsData $data, RequestContext $context, Clock $clock)
    {
        $this->data = $data;
        $this->context = $context;
        $this->clock = $clock;
    }

    /**
     * The envelope as stored: everything but outbox_id, with vars fitted to the bridge's limits
     * as they will be sent (with an outbox_id of $outboxId's length, for events).
     */
    public function draft(string $event, array $vars, ?int $outboxId): array
    {
        $draft = [
            'event' => $event,
            'occurred_at' => gmdate('Y-m-d\TH:i:s\Z', $this->clock->now()),
            'whmcs' => [
                'version' => substr((string) $this->data->setting('Version'), 0, 32) ?: 'unknown',
                'system_url' => $this->data->setting('SystemURL') ?: null,
            ],
            'actor' => $this->context->actor(),
        ];
        $encode = function (array $vars, array $truncated) use ($draft, $outboxId) {
            return Json::encode(self::envelope($draft + ['vars' => $vars, 'truncated' => $truncated], $outboxId));
        };
        list($draft['vars'], $truncated) = Limits::fit($vars, $encode);
        if ($truncated) {
            $draft['truncated'] = $truncated;
        }
        return $draft;
    }

    /** The envelope as sent; outbox_id only for events. */
    public static function envelope(array $stored, ?int $outboxId): array
    {
        $envelope = [
            'event' => $stored['event'],
            'occurred_at' => $stored['occurred_at'],
            'whmcs' => $stored['whmcs'],
            'actor' => $stored['actor'],
        ];
        if ($outboxId !== null) {
            $envelope['outbox_id'] = $outboxId;
        }
        // (object) keeps empty maps as {} in JSON.
        $envelope['vars'] = (object) self::objects($stored['vars']);
        if (!empty($stored['truncated'])) {
            $envelope['truncated'] = array_values($stored['truncated']);
        }
        return $envelope;
    }

    /** Empty maps inside vars must stay JSON objects, not lists. */
    private static function objects(array $vars): array
    {
        foreach (['olddata', 'current', 'outbox', 'email_preferences', 'counts'] as $key) {
            if (isset($vars[$key]) && $vars[$key] === []) {
                $vars[$key] = new \stdClass();
            }
        }
        return $vars;
    }
}
