<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

use WHMCS\Database\Capsule;

/**
 * The outbox table of contract section 8, made and migrated only by the module's activation and
 * upgrade. A table from the loose hook file (module version 1.x) has the same columns; a table
 * missing some of them gets them added. Rows are never dropped.
 */
final class OutboxSchema
{
    const TABLE = Outbox::TABLE;

    /** Creates the table when missing, else adds missing columns; returns what it did. */
    public function ensure(): string
    {
        $schema = Capsule::schema();
        if (!$schema->hasTable(self::TABLE)) {
            $schema->create(self::TABLE, function ($table) {
                $table->increments('id');
                $table->string('webhook_id', 64)->unique();
                $table->string('event', 64);
                $table->longText('payload')->nullable();
                $table->unsignedInteger('attempts')->default(0);
                $table->dateTime('next_attempt_at')->nullable()->index();
                $table->dateTime('delivered_at')->nullable()->index();
                $table->dateTime('dead_at')->nullable()->index();
                $table->text('last_error')->nullable();
                $table->dateTime('created_at');
            });
            return 'created';
        }
        $missing = $this->missingColumns();
        if ($missing) {
            $schema->table(self::TABLE, function ($table) use ($missing) {
                foreach ($missing as $column) {
                    self::addColumn($table, $column);
                }
            });
        }
        return $missing ? 'added ' . implode(', ', $missing) : 'kept';
    }

    /** @return string[] */
    private function missingColumns(): array
    {
        $missing = [];
        foreach (['webhook_id', 'event', 'payload', 'attempts', 'next_attempt_at', 'delivered_at',
                     'dead_at', 'last_error', 'created_at'] as $column) {
            if (!Capsule::schema()->hasColumn(self::TABLE, $column)) {
                $missing[] = $column;
            }
        }
        return $missing;
    }

    /** Columns added to a table with rows must allow NULL for those rows. */
    private static function addColumn($table, string $column): void
    {
        if ($column === 'attempts') {
            $table->unsignedInteger('attempts')->default(0);
        } elseif (in_array($column, ['webhook_id', 'event'], true)) {
            $table->string($column, 64)->nullable();
        } elseif (in_array($column, ['payload', 'last_error'], true)) {
            $table->longText($column)->nullable();
        } else {
            $table->dateTime($column)->nullable();
        }
    }
}
