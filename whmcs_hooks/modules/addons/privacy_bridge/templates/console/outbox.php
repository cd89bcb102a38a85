<h2>Outbox</h2>
<p class="text-muted small">Hook events waiting in the WHMCS database. Payloads are never shown; the module's cron delivers retried rows.</p>
<?php foreach (['pending' => 'Pending', 'dead' => 'Given up (dead)'] as $kind => $label) : $rows = $d[$kind]; ?>
<h3><?= $e($label) ?>: <?= $e(count($rows)) ?></h3>
<?php if ($rows) : ?>
<table class="table table-condensed pb-outbox-<?= $e($kind) ?>"><tr><th>#</th><th>Event</th><th>Created</th><th>Attempts</th><th><?= $kind === 'dead' ? 'Dead since' : 'Next attempt' ?></th><th>Last error</th><th></th></tr>
<?php foreach ($rows as $row) : ?><tr><td><?= $e($row['id']) ?></td><td><?= $e($row['event']) ?></td><td><?= $e($row['created_at']) ?></td><td><?= $e($row['attempts']) ?></td>
<td><?= $e($kind === 'dead' ? $row['dead_at'] : $row['next_attempt_at']) ?></td><td><?= $e($row['last_error']) ?></td>
<td><?= $form('outbox', 'retry', ['id' => $row['id']]) ?><button type="submit" class="btn btn-default btn-xs">Retry</button></form>
<?php if ($kind === 'dead') : ?><?= $form('outbox', 'delete_dead', ['id' => $row['id']]) ?><button type="submit" class="btn btn-danger btn-xs">Delete</button></form><?php endif; ?></td></tr>
<?php endforeach; ?></table>
<?php endif; ?>
<?php endforeach; ?>
<?= $form('outbox', 'retry_all') ?><button type="submit" class="btn btn-default btn-sm">Retry all</button></form>
<?= $form('outbox', 'delete_all_dead') ?><button type="submit" class="btn btn-danger btn-sm">Delete all dead rows</button></form>
<h3>Residual erasure orders</h3>
<?php if ($d['erasures'] === null) : ?>
<p class="text-muted small">The erasure orders table does not exist yet: upgrade or re-activate the module.</p>
<?php elseif (!$d['erasures']) : ?>
<p class="text-muted small">No erasure orders yet. The module's cron fetches them from the bridge after a purge.</p>
<?php else : ?>
<table class="table table-condensed pb-erasures"><tr><th>Order</th><th>Client</th><th>Strategy</th><th>Started</th><th>State</th><th>Rows erased</th></tr>
<?php foreach ($d['erasures'] as $row) : ?><tr><td><?= $e($row['order_id']) ?></td><td><?= $e($row['client_id']) ?></td><td><?= $e($row['strategy']) ?></td>
<td><?= $e($row['started_at']) ?></td><td><?= $row['reported_at'] === null ? 'open (finished on the next cron run)' : 'finished, reported ' . $e($row['reported_at']) ?></td><td><?= $e($row['rows']) ?></td></tr>
<?php endforeach; ?></table>
<?php endif; ?>
