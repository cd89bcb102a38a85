<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

use WHMCS\Database\Capsule;

/**
 * The module's record of residual-erasure orders (contract 11): one row per order, so an order
 * already reported is never erased twice. Made only by activation and upgrade, never in a hook.
 */
final class ErasureSchema
{
    const TABLE = 'mod_privacy_bridge_erasures';

    /** Creates the table when missing; returns what it did. */
    public function ensure(): string
    {
        $schema = Capsule::schema();
        if ($schema->hasTable(self::TABLE)) {
            return 'kept';
        }
        $schema->create(self::TABLE, function ($table) {
            $table->increments('id');
            $table->string('order_id', 64)->unique();
            $table->unsignedInteger('client_id')->index();
            $table->string('strategy', 16);
            $table->text('counts')->nullable();
            $table->text('skipped')->nullable();
            $table->dateTime('started_at');
            $table->dateTime('finished_at')->nullable();
            $table->dateTime('reported_at')->nullable();
            $table->unsignedInteger('outbox_id')->nullable();
        });
        return 'created';
    }
}
