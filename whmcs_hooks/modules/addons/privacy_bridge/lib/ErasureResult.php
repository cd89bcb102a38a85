<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** What one erasure step did: rows per table, and what it could not reach. */
final class ErasureResult
{
    /** @var array<string, int> */
    public $counts = [];
    /** @var array<int, array{table: string, column?: string, reason: string}> */
    public $skipped = [];

    public function add(string $table, int $rows): void
    {
        $this->counts[$table] = (isset($this->counts[$table]) ? $this->counts[$table] : 0) + $rows;
    }

    public function skip(string $table, ?string $column, string $reason): void
    {
        $entry = ['table' => $table];
        if ($column !== null) {
            $entry['column'] = $column;
        }
        $entry['reason'] = $reason;
        if (!in_array($entry, $this->skipped, true)) {
            $this->skipped[] = $entry;
        }
    }
}
