<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

use WHMCS\Database\Capsule;

/** The module's outbox table as the console sees it: metadata only, never a payload. */
class Outbox
{
    const TABLE = 'mod_privacy_bridge_outbox';
    const ERASURES = 'mod_privacy_bridge_erasures';
    const SHOWN = ['id', 'event', 'attempts', 'next_attempt_at', 'dead_at', 'last_error', 'created_at'];

    public function exists(): bool
    {
        return Capsule::schema()->hasTable(self::TABLE);
    }

    public function pending(int $limit = 100): array
    {
        return $this->rows(Capsule::table(self::TABLE)->whereNull('delivered_at')->whereNull('dead_at'), $limit);
    }

    public function dead(int $limit = 100): array
    {
        return $this->rows(Capsule::table(self::TABLE)->whereNull('delivered_at')->whereNotNull('dead_at'), $limit);
    }

    public function deadCount(): int
    {
        return Capsule::table(self::TABLE)->whereNull('delivered_at')->whereNotNull('dead_at')->count();
    }

    /** Due now for the module's cron delivery: dead rows come back to life with their attempts reset. */
    public function retry(?int $id): int
    {
        $query = Capsule::table(self::TABLE)->whereNull('delivered_at');
        if ($id !== null) {
            $query->where('id', $id);
        }
        return $query->update(['next_attempt_at' => gmdate('Y-m-d H:i:s'), 'dead_at' => null, 'attempts' => 0]);
    }

    /** Only dead rows are ever deleted. */
    public function deleteDead(?int $id): int
    {
        $query = Capsule::table(self::TABLE)->whereNull('delivered_at')->whereNotNull('dead_at');
        if ($id !== null) {
            $query->where('id', $id);
        }
        return $query->delete();
    }

    /**
     * The residual-erasure orders the module ran (contract 11): open ones (not yet reported) first,
     * then the latest finished; null without the table (the module was not upgraded yet).
     */
    public function erasures(int $limit = 50): ?array
    {
        if (!Capsule::schema()->hasTable(self::ERASURES)) {
            return null;
        }
        $columns = ['order_id', 'client_id', 'strategy', 'counts', 'started_at', 'reported_at'];
        $open = Capsule::table(self::ERASURES)->whereNull('reported_at')->orderBy('id')->limit($limit)->get($columns);
        $done = Capsule::table(self::ERASURES)->whereNotNull('reported_at')->orderBy('id', 'desc')->limit($limit)->get($columns);
        $shown = [];
        foreach (array_merge($open->all(), $done->all()) as $row) {
            $counts = json_decode((string) $row->counts, true);
            $shown[] = [
                'order_id' => $row->order_id, 'client_id' => $row->client_id, 'strategy' => $row->strategy,
                'started_at' => $row->started_at, 'reported_at' => $row->reported_at,
                'rows' => is_array($counts) ? array_sum(array_map('intval', $counts)) : 0,
            ];
        }
        return $shown;
    }

    private function rows($query, int $limit): array
    {
        $rows = $query->orderBy('id')->limit($limit)->get(self::SHOWN);
        $shown = [];
        foreach ($rows as $row) {
            $shown[] = (array) $row;
        }
        return $shown;
    }
}
