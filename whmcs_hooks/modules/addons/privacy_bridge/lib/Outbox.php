<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

use WHMCS\Database\Capsule;

/**
 * The durable outbox of contract section 8: write first, deliver in order, retry from cron.
 * The table is made by the module's activation and upgrade (OutboxSchema), never here.
 */
final class Outbox
{
    const TABLE = 'mod_privacy_bridge_outbox';
    const PATH = '/v1/hooks/whmcs';
    const KEEP_DAYS = 30;
    const DEAD_PAYLOAD_DAYS = 7;
    const SET_ASIDE_MAX = 20;
    // A stand-in outbox_id longer than any row id, so that a fitted event stays within the limit.
    const ID_PLACEHOLDER = PHP_INT_MAX;
    const BACKOFF_BASE_S = 60;
    const BACKOFF_CAP_S = 21600;
    const FLUSH_MAX_ROWS = 500;
    const FLUSH_MAX_SECONDS = 120;

    /** @var HttpClient */
    private $http;
    /** @var Clock */
    private $clock;
    /** @var ActivityLog */
    private $log;

    public function __construct(HttpClient $http, Clock $clock, ActivityLog $log)
    {
        $this->http = $http;
        $this->clock = $clock;
        $this->log = $log;
    }

    /** Stores the envelope (without outbox_id, which is the row id) and returns the row id. */
    public function add(string $event, array $envelope): int
    {
        return (int) Capsule::table(self::TABLE)->insertGetId([
            'webhook_id' => Json::newId(),
            'event' => $event,
            'payload' => Json::encode($envelope),
            'attempts' => 0,
            'next_attempt_at' => $this->now(),
            'created_at' => $this->now(),
        ]);
    }

    /**
     * Delivers a new row at once unless an older one is still pending (order is kept). An older
     * row that cannot be read is set aside on the way, so it never holds the new one back.
     */
    public function deliverIfFirst(Settings $config, int $id): void
    {
        for ($i = 0; $i < self::SET_ASIDE_MAX; $i++) {
            $head = $this->pending()->where('id', '<=', $id)->orderBy('id')->first();
            if ($head === null) {
                return;
            }
            list($stored, $problem) = $this->stored($head);
            if ($stored === null) {
                $this->setAside($head, $problem);
                continue;
            }
            if ((int) $head->id === $id) {
                $this->attempt($config, $head, $stored);
            }
            return;
        }
    }

    /**
     * Retries pending rows oldest first; stops at the first row that must wait or fails again.
     * A row that cannot be read is set aside (dead, with the reason) and the next one is tried.
     */
    public function flush(Settings $config): void
    {
        $this->prune();
        $started = microtime(true);
        $rows = $this->pending()->orderBy('id')->limit(self::FLUSH_MAX_ROWS)->get();
        foreach ($rows as $row) {
            list($stored, $problem) = $this->stored($row);
            if ($stored === null) {
                $this->setAside($row, $problem);
                continue;
            }
            if ($row->next_attempt_at !== null && $row->next_attempt_at > $this->now()) {
                return;
            }
            if ($this->attempt($config, $row, $stored) === 'retry' || microtime(true) - $started > self::FLUSH_MAX_SECONDS) {
                return;
            }
        }
    }

    /**
     * The one delivery of an event the outbox could not store (contract 10). It has no row, so
     * its outbox_id is the current unix time: after every row id, for the bridge's tie-break.
     */
    public function sendDirect(Settings $config, array $draft): void
    {
        $body = Json::encode(Envelope::envelope($draft, $this->clock->now()));
        $answer = $this->http->post($config, self::PATH, Json::newId(), $body, $config->timeoutMs);
        if ($answer['status'] < 200 || $answer['status'] >= 300) {
            $this->log->log('event ' . $draft['event'] . ' could not be stored nor delivered: '
                . ($answer['status'] === 0 ? $answer['error'] : 'HTTP ' . $answer['status']));
        }
    }

    /** @return array{pending: int, dead: int, oldest_pending_at: ?string} */
    public function health(): array
    {
        $oldest = $this->pending()->min('created_at');
        return [
            'pending' => (int) $this->pending()->count(),
            'dead' => (int) Capsule::table(self::TABLE)->whereNotNull('dead_at')->count(),
            'oldest_pending_at' => is_string($oldest) ? self::rfc3339($oldest) : null,
        ];
    }

    public function lastError(): ?string
    {
        $error = Capsule::table(self::TABLE)->whereNotNull('last_error')
            ->orderBy('id', 'desc')->value('last_error');
        return is_string($error) ? $error : null;
    }

    /** @return string delivered | dead | retry */
    private function attempt(Settings $config, $row, array $stored): string
    {
        $body = Json::encode(Envelope::envelope($stored, (int) $row->id));
        $answer = $this->http->post($config, self::PATH, (string) $row->webhook_id, $body, $config->timeoutMs);
        $attempts = (int) $row->attempts + 1;
        $status = $answer['status'];
        if ($status >= 200 && $status < 300) {
            $this->update($row->id, [
                'attempts' => $attempts, 'delivered_at' => $this->now(), 'payload' => null,
                'last_error' => null, 'next_attempt_at' => null,
            ]);
            return 'delivered';
        }
        $error = $status === 0 ? $answer['error'] : 'HTTP ' . $status;
        if (self::isFinal($status) || $attempts >= $config->maxAttempts) {
            $this->update($row->id, ['attempts' => $attempts, 'dead_at' => $this->now(), 'last_error' => $error]);
            $this->log->log('event ' . $row->event . ' #' . $row->id . ' given up after '
                . $attempts . ' attempt(s): ' . $error);
            return 'dead';
        }
        if ($status === 401) {
            $this->log->log('the bridge rejected the signature (HTTP 401): check webhook_secret');
        }
        $delay = min(self::BACKOFF_CAP_S, self::BACKOFF_BASE_S * (2 ** min($attempts - 1, 20)));
        $this->update($row->id, [
            'attempts' => $attempts, 'last_error' => $error,
            'next_attempt_at' => gmdate('Y-m-d H:i:s', $this->clock->now() + $delay),
        ]);
        return 'retry';
    }

    /** 401, 408, 429, 5xx and no answer are retried; any other 4xx is final (contract 3.1). */
    private static function isFinal(int $status): bool
    {
        return $status >= 400 && $status < 500 && !in_array($status, [401, 408, 429], true);
    }

    /**
     * The stored envelope of a row, or null and why it cannot be sent.
     *
     * @return array{0: ?array, 1: string}
     */
    private function stored($row): array
    {
        if (!is_string($row->webhook_id) || $row->webhook_id === '') {
            return [null, 'the row has no webhook_id'];
        }
        if (!is_string($row->payload) || $row->payload === '') {
            return [null, 'the payload is missing'];
        }
        $stored = json_decode($row->payload, true);
        if (json_last_error() !== JSON_ERROR_NONE) {
            return [null, 'the payload is not valid JSON'];
        }
        if (!is_array($stored) || !isset($stored['event']) || !is_string($stored['event']) || $stored['event'] === '') {
            return [null, 'the payload is not an object with an event'];
        }
        $types = ['occurred_at' => 'is_string', 'whmcs' => 'is_array', 'actor' => 'is_array', 'vars' => 'is_array'];
        foreach ($types as $key => $check) {
            if (!array_key_exists($key, $stored) || !$check($stored[$key])) {
                return [null, 'the payload field ' . $key . ' is missing or has the wrong type'];
            }
        }
        if (isset($stored['truncated']) && !is_array($stored['truncated'])) {
            return [null, 'the payload field truncated has the wrong type'];
        }
        return [$stored, ''];
    }

    /** Marks an unreadable row dead with the reason: it is shown in the admin panel, never sent. */
    private function setAside($row, string $problem): void
    {
        $this->update($row->id, ['dead_at' => $this->now(), 'last_error' => 'unreadable: ' . $problem]);
        $this->log->log('outbox row #' . (int) $row->id . ' set aside, unreadable: ' . $problem);
    }

    /** Delivered rows and dead rows go after 30 days; a dead row's payload after 7 (contract 10). */
    private function prune(): void
    {
        $cutoff = gmdate('Y-m-d H:i:s', $this->clock->now() - self::KEEP_DAYS * 86400);
        Capsule::table(self::TABLE)->where('delivered_at', '<', $cutoff)->delete();
        Capsule::table(self::TABLE)->where('dead_at', '<', $cutoff)->delete();
        $payloadCutoff = gmdate('Y-m-d H:i:s', $this->clock->now() - self::DEAD_PAYLOAD_DAYS * 86400);
        Capsule::table(self::TABLE)->where('dead_at', '<', $payloadCutoff)
            ->whereNotNull('payload')->update(['payload' => null]);
    }

    private function pending()
    {
        return Capsule::table(self::TABLE)->whereNull('delivered_at')->whereNull('dead_at');
    }

    private function update($id, array $values): void
    {
        Capsule::table(self::TABLE)->where('id', $id)->update($values);
    }

    private function now(): string
    {
        return gmdate('Y-m-d H:i:s', $this->clock->now());
    }

    private static function rfc3339(string $utc): string
    {
        return str_replace(' ', 'T', substr($utc, 0, 19)) . 'Z';
    }
}
