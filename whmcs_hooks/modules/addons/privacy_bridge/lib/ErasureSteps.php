<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

use WHMCS\Database\Capsule;

/**
 * What one residual-erasure order does to the WHMCS database, for that client only (contract
 * 11). Every step is idempotent (a rerun touches only rows not yet erased, so it counts 0), and
 * checks its table and columns first: what it cannot reach is reported as skipped, never fatal.
 * Replies and attachments go before the tickets themselves, because a guest ticket is found by
 * the e-mail address that redacting the ticket removes.
 */
final class ErasureSteps
{
    const REDACTED = '[erased on request]';
    const STEPS = ['emailLog', 'activityLog', 'orderIps', 'attachments', 'ticketReplies', 'tickets',
        'marketingConsent', 'deadOutbox'];

    /** @var ?string */
    private $attachmentsDir;

    public function __construct(?string $attachmentsDir)
    {
        $this->attachmentsDir = $attachmentsDir;
    }

    /**
     * Runs every step; after each one $done(counts, skipped) is called with that step's result,
     * so the caller can keep what is done before the next step starts.
     *
     * @param array{order_id: string, client_id: int, emails: string[], strategy: string} $order
     */
    public function run(array $order, callable $done): void
    {
        foreach (self::STEPS as $step) {
            $result = new ErasureResult();
            $this->$step($order, $result);
            $done($result->counts, $result->skipped);
        }
    }

    private function emailLog(array $order, ErasureResult $r): void
    {
        if ($this->reachable('tblemails', ['userid'], $r)) {
            $r->add('tblemails', Capsule::table('tblemails')->where('userid', $order['client_id'])->delete());
        }
    }

    private function activityLog(array $order, ErasureResult $r): void
    {
        $table = 'tblactivitylog';
        if (!$this->reachable($table, ['description'], $r)) {
            return;
        }
        $clientColumn = $this->firstColumn($table, ['userid', 'clientid']);
        if ($clientColumn === null) {
            $r->skip($table, 'userid', 'neither userid nor clientid exists: only lines naming the e-mail addresses are reached');
        }
        $scope = function ($q) use ($order, $clientColumn) {
            if ($clientColumn !== null) {
                $q->orWhere($clientColumn, $order['client_id']);
            }
            foreach ($order['emails'] as $email) {
                $q->orWhereRaw('description LIKE ? ESCAPE ?', ['%' . self::likeEscape($email) . '%', '!']);
            }
        };
        if ($clientColumn === null && !$order['emails']) {
            return;
        }
        $this->redactOrDelete($order, $table, $scope, ['description' => self::REDACTED, 'ipaddr' => ''], $r);
    }

    private function orderIps(array $order, ErasureResult $r): void
    {
        if ($this->reachable('tblorders', ['userid', 'ipaddress'], $r)) {
            $r->add('tblorders', Capsule::table('tblorders')->where('userid', $order['client_id'])
                ->where('ipaddress', '!=', '')->update(['ipaddress' => '']));
        }
    }

    /** Files named by the attachment column of the client's tickets and replies, then the column. */
    private function attachments(array $order, ErasureResult $r): void
    {
        $tickets = $this->ticketIds($order);
        foreach (['tbltickets' => 'id', 'tblticketreplies' => 'tid'] as $table => $ticketColumn) {
            if (!$this->reachable($table, [$ticketColumn], $r) || !$this->hasColumn($table, 'attachment', $r)) {
                continue;
            }
            if ($this->attachmentsDir === null || !is_dir($this->attachmentsDir)) {
                $r->skip($table, 'attachment', 'the attachments folder was not found; files and names kept');
                continue;
            }
            $rows = Capsule::table($table)->where(function ($q) use ($table, $ticketColumn, $tickets, $order) {
                $q->whereIn($ticketColumn, $tickets ?: [0]);
                if ($table === 'tblticketreplies' && Capsule::schema()->hasColumn($table, 'userid')) {
                    $q->orWhere('userid', $order['client_id']);
                }
            })->where('attachment', '!=', '')->get(['id', 'attachment']);
            foreach ($rows as $row) {
                $r->add('attachments', $this->deleteFiles((string) $row->attachment));
                Capsule::table($table)->where('id', $row->id)->update(['attachment' => '']);
            }
            $r->add('attachments', 0);
        }
    }

    private function ticketReplies(array $order, ErasureResult $r): void
    {
        $table = 'tblticketreplies';
        if (!$this->reachable($table, ['tid'], $r)) {
            return;
        }
        $tickets = $this->ticketIds($order);
        $byUser = Capsule::schema()->hasColumn($table, 'userid');
        $scope = function ($q) use ($tickets, $byUser, $order) {
            $q->whereIn('tid', $tickets ?: [0]);
            if ($byUser) {
                $q->orWhere('userid', $order['client_id']);
            }
        };
        $this->redactOrDelete($order, $table, $scope, ['name' => '', 'email' => '', 'message' => self::REDACTED], $r);
    }

    private function tickets(array $order, ErasureResult $r): void
    {
        if (!$this->reachable('tbltickets', ['id'], $r)) {
            return;
        }
        $tickets = $this->ticketIds($order);
        $scope = function ($q) use ($tickets) {
            $q->whereIn('id', $tickets ?: [0]);
        };
        $this->redactOrDelete($order, 'tbltickets', $scope,
            ['name' => '', 'email' => '', 'title' => self::REDACTED, 'message' => self::REDACTED], $r);
    }

    private function marketingConsent(array $order, ErasureResult $r): void
    {
        if ($this->reachable('tblmarketing_consent', ['userid'], $r)) {
            $r->add('tblmarketing_consent', Capsule::table('tblmarketing_consent')
                ->where('userid', $order['client_id'])->delete());
        }
    }

    /** Dead rows never delivered keep a payload; the client's ones lose it (the row stays, for staff). */
    private function deadOutbox(array $order, ErasureResult $r): void
    {
        $table = Outbox::TABLE;
        if (!$this->reachable($table, ['payload', 'dead_at'], $r)) {
            return;
        }
        $rows = Capsule::table($table)->whereNotNull('dead_at')->whereNotNull('payload')->get(['id', 'payload']);
        $cleared = 0;
        foreach ($rows as $row) {
            if (self::names($order, (string) $row->payload)) {
                $cleared += Capsule::table($table)->where('id', $row->id)->update(['payload' => null]);
            }
        }
        $r->add($table, $cleared);
    }

    /** Redacts the scoped rows not yet redacted (anonymize), or deletes them (delete). */
    private function redactOrDelete(array $order, string $table, callable $scope, array $targets, ErasureResult $r): void
    {
        $query = Capsule::table($table)->where(function ($q) use ($scope) {
            $scope($q);
        });
        if ($order['strategy'] === 'delete') {
            $r->add($table, $query->delete());
            return;
        }
        $present = [];
        foreach ($targets as $column => $value) {
            if ($this->hasColumn($table, $column, $r)) {
                $present[$column] = $value;
            }
        }
        if (!$present) {
            return;
        }
        $query->where(function ($q) use ($present) {
            foreach ($present as $column => $value) {
                $q->orWhere($column, '!=', $value)->orWhereNull($column);
            }
        });
        $r->add($table, $query->update($present));
    }

    /** @return int[] the client's tickets, and guest tickets opened with one of the order's addresses */
    private function ticketIds(array $order): array
    {
        $schema = Capsule::schema();
        if (!$schema->hasTable('tbltickets')) {
            return [];
        }
        $byUser = $schema->hasColumn('tbltickets', 'userid');
        $byEmail = $schema->hasColumn('tbltickets', 'email') && $order['emails'];
        if (!$byUser && !$byEmail) {
            return [];
        }
        $emails = array_map('strtolower', $order['emails']);
        return Capsule::table('tbltickets')->where(function ($q) use ($byUser, $byEmail, $emails, $order) {
            if ($byUser) {
                $q->orWhere('userid', $order['client_id']);
            }
            if ($byEmail) {
                $q->orWhereRaw('LOWER(email) IN (' . implode(',', array_fill(0, count($emails), '?')) . ')', $emails);
            }
        })->pluck('id')->map(function ($id) {
            return (int) $id;
        })->all();
    }

    /** Deletes the named files inside the attachments folder only; returns how many went. */
    private function deleteFiles(string $names): int
    {
        $deleted = 0;
        foreach (explode('|', $names) as $name) {
            $name = trim($name);
            if ($name === '' || $name !== basename($name) || $name[0] === '.') {
                continue; // never a path outside the folder
            }
            $path = rtrim((string) $this->attachmentsDir, '/') . '/' . $name;
            if (is_file($path) && @unlink($path)) {
                $deleted++;
            }
        }
        return $deleted;
    }

    /** Whether a stored envelope is about the order's client or names one of its addresses. */
    private static function names(array $order, string $payload): bool
    {
        $stored = json_decode($payload, true);
        if (is_array($stored)) {
            $vars = isset($stored['vars']) && is_array($stored['vars']) ? $stored['vars'] : [];
            foreach (['userid', 'client_id', 'clientid'] as $key) {
                if (isset($vars[$key]) && is_scalar($vars[$key]) && (int) $vars[$key] === $order['client_id']) {
                    return true;
                }
            }
            $actor = isset($stored['actor']) && is_array($stored['actor']) ? $stored['actor'] : [];
            if (isset($actor['type'], $actor['id']) && $actor['type'] === 'client' && (int) $actor['id'] === $order['client_id']) {
                return true;
            }
        }
        foreach ($order['emails'] as $email) {
            if ($email !== '' && stripos($payload, $email) !== false) {
                return true;
            }
        }
        return false;
    }

    private function reachable(string $table, array $columns, ErasureResult $r): bool
    {
        if (!Capsule::schema()->hasTable($table)) {
            $r->skip($table, null, 'table not found');
            return false;
        }
        foreach ($columns as $column) {
            if (!$this->hasColumn($table, $column, $r)) {
                return false;
            }
        }
        return true;
    }

    private function hasColumn(string $table, string $column, ErasureResult $r): bool
    {
        if (Capsule::schema()->hasColumn($table, $column)) {
            return true;
        }
        $r->skip($table, $column, 'column not found');
        return false;
    }

    private function firstColumn(string $table, array $columns): ?string
    {
        foreach ($columns as $column) {
            if (Capsule::schema()->hasColumn($table, $column)) {
                return $column;
            }
        }
        return null;
    }

    private static function likeEscape(string $text): string
    {
        return str_replace(['!', '%', '_'], ['!!', '!%', '!_'], $text);
    }
}
