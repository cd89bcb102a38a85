<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

use WHMCS\Database\Capsule;

/**
 * Residual erasure on AfterCronJob (contract 11): fetches the bridge's open orders, erases each
 * one (ErasureSteps), and queues its report as a PrivacyBridgeErased event in the outbox, so it
 * is retried until delivered. The erasures table remembers every order: what is done survives a
 * crash (the rerun finishes it), and an order already reported is never erased again.
 */
final class Erasure
{
    const WORK_PATH = '/work';
    const EVENT = Vocabulary::ERASED_EVENT;
    const STRATEGIES = ['anonymize', 'delete'];
    const MAX_ORDERS = 50;

    /** @var HttpClient */
    private $http;
    /** @var Envelope */
    private $envelopes;
    /** @var Outbox */
    private $outbox;
    /** @var ErasureSteps */
    private $steps;
    /** @var Clock */
    private $clock;
    /** @var ActivityLog */
    private $log;

    public function __construct(HttpClient $http, Envelope $envelopes, Outbox $outbox, ErasureSteps $steps,
        Clock $clock, ActivityLog $log)
    {
        $this->http = $http;
        $this->envelopes = $envelopes;
        $this->outbox = $outbox;
        $this->steps = $steps;
        $this->clock = $clock;
        $this->log = $log;
    }

    /** One cron run: every open order the bridge lists; one order failing never stops the next. */
    public function run(Settings $settings): void
    {
        if (!Capsule::schema()->hasTable(ErasureSchema::TABLE)) {
            return; // the module was not upgraded yet; its activation page says so
        }
        foreach (array_slice($this->fetch($settings), 0, self::MAX_ORDERS) as $order) {
            try {
                $this->handle($order);
            } catch (\Throwable $e) {
                $this->log->log('erasure order ' . $order['order_id'] . ' stopped, it is retried on the next cron run: '
                    . ActivityLog::describe($e));
            }
        }
    }

    /** @return array<int, array{order_id: string, client_id: int, emails: string[], strategy: string}> */
    private function fetch(Settings $settings): array
    {
        $body = Json::encode(Envelope::envelope($this->envelopes->draft(Vocabulary::WORK_EVENT, [], null), null));
        $answer = $this->http->post($settings, Outbox::PATH . self::WORK_PATH, Json::newId(), $body, $settings->timeoutMs);
        if ($answer['status'] !== 200) {
            if ($answer['status'] === 401) {
                $this->log->log('HTTP 401: the bridge rejected the signature of the erasure work request, check webhook_secret');
            }
            return []; // unreachable or not offered: asked again on the next cron run
        }
        $decoded = Json::object($answer['body']);
        $orders = [];
        foreach (isset($decoded['orders']) && is_array($decoded['orders']) ? $decoded['orders'] : [] as $raw) {
            $order = is_array($raw) ? self::order($raw) : null;
            if ($order === null) {
                $this->log->log('an erasure order from the bridge was malformed and is ignored');
                continue;
            }
            $orders[] = $order;
        }
        return $orders;
    }

    private static function order(array $raw): ?array
    {
        $id = isset($raw['order_id']) && is_string($raw['order_id']) ? trim($raw['order_id']) : '';
        $client = isset($raw['client_id']) && is_int($raw['client_id']) ? $raw['client_id'] : 0;
        $strategy = isset($raw['strategy']) && is_string($raw['strategy']) ? $raw['strategy'] : '';
        if ($id === '' || strlen($id) > 64 || $client <= 0 || !in_array($strategy, self::STRATEGIES, true)) {
            return null;
        }
        $emails = [];
        foreach (isset($raw['emails']) && is_array($raw['emails']) ? $raw['emails'] : [] as $email) {
            if (is_string($email) && trim($email) !== '') {
                $emails[] = trim($email);
            }
        }
        return ['order_id' => $id, 'client_id' => $client, 'emails' => array_values(array_unique($emails)),
            'strategy' => $strategy];
    }

    private function handle(array $order): void
    {
        $row = Capsule::table(ErasureSchema::TABLE)->where('order_id', $order['order_id'])->first();
        if ($row !== null && $row->reported_at !== null) {
            return; // reported: never erased twice
        }
        if ($row !== null && (int) $row->client_id !== $order['client_id']) {
            $this->log->log('erasure order ' . $order['order_id'] . ' changed its client; it is not run');
            return;
        }
        if ($row === null) {
            Capsule::table(ErasureSchema::TABLE)->insert([
                'order_id' => $order['order_id'], 'client_id' => $order['client_id'],
                'strategy' => $order['strategy'], 'counts' => '{}', 'started_at' => $this->now(),
            ]);
        }
        $counts = $row !== null ? self::decoded($row->counts) : [];
        $skipped = [];
        $this->steps->run($order, function (array $stepCounts, array $stepSkipped) use (&$counts, &$skipped, $order) {
            foreach ($stepCounts as $table => $rows) {
                $counts[$table] = (isset($counts[$table]) ? (int) $counts[$table] : 0) + $rows;
            }
            $skipped = array_merge($skipped, $stepSkipped);
            // Kept after every step: a crash later on still reports what this run already did.
            Capsule::table(ErasureSchema::TABLE)->where('order_id', $order['order_id'])
                ->update(['counts' => Json::encode((object) $counts)]);
        });
        $this->report($order, $counts, $skipped);
    }

    /** Queues the report and marks the order reported, both or neither. */
    private function report(array $order, array $counts, array $skipped): void
    {
        $vars = ['order_id' => $order['order_id'], 'client_id' => $order['client_id'],
            'counts' => $counts, 'skipped' => $skipped];
        $draft = $this->envelopes->draft(self::EVENT, $vars, Outbox::ID_PLACEHOLDER);
        $outbox = $this->outbox;
        $now = $this->now();
        Capsule::connection()->transaction(function () use ($outbox, $draft, $order, $counts, $skipped, $now) {
            $id = $outbox->add(self::EVENT, $draft);
            Capsule::table(ErasureSchema::TABLE)->where('order_id', $order['order_id'])->update([
                'counts' => Json::encode((object) $counts), 'skipped' => Json::encode($skipped),
                'finished_at' => $now, 'reported_at' => $now, 'outbox_id' => $id,
            ]);
        });
    }

    private static function decoded($json): array
    {
        $value = is_string($json) ? json_decode($json, true) : null;
        return is_array($value) ? $value : [];
    }

    private function now(): string
    {
        return gmdate('Y-m-d H:i:s', $this->clock->now());
    }
}
