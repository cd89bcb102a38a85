<h2>Retention</h2>
<?= $d['notice'] ?>
<?php $plan = $d['plan']; if ($plan) : ?>
<p>Plan as of <?= $e($plan['as_of']) ?>: <strong><?= $e(count($plan['due'])) ?></strong> due, <?= $e(count($plan['held'])) ?> held, <?= $e(count($plan['scheduled'])) ?> scheduled, <?= $e(count($plan['reactivated'])) ?> reactivated.</p>
<table class="table table-condensed pb-plan"><tr><th>Client</th><th>State</th><th>Closed</th><th>Purge due</th><th>Hold</th></tr>
<?php foreach ($plan['due'] as $row) : ?><tr><td><a href="<?= $e($url('client', ['client_id' => $row['client_id']])) ?>">#<?= $e($row['client_id']) ?></a></td><td>due</td><td><?= $e($row['closed_at']) ?></td><td><?= $e($row['purge_due_at']) ?></td><td></td></tr><?php endforeach; ?>
<?php foreach ($plan['held'] as $row) : ?><tr><td><a href="<?= $e($url('client', ['client_id' => $row['client_id']])) ?>">#<?= $e($row['client_id']) ?></a></td><td>held</td><td></td><td></td><td><?= $e($row['reason']) ?> <?= $e($row['reference']) ?></td></tr><?php endforeach; ?>
<?php foreach ($plan['scheduled'] as $row) : ?><tr><td><a href="<?= $e($url('client', ['client_id' => $row['client_id']])) ?>">#<?= $e($row['client_id']) ?></a></td><td>scheduled</td><td></td><td><?= $e($row['purge_due_at']) ?></td><td></td></tr><?php endforeach; ?>
</table>
<?php endif; ?>
<form method="get" action="addonmodules.php" class="form-inline">
<input type="hidden" name="module" value="privacy_bridge"><input type="hidden" name="action" value="retention">
<label>Plan as of <input type="date" name="as_of" class="form-control input-sm"></label> <button class="btn btn-default btn-sm">Show plan</button></form>
<h3>Dry run</h3>
<?= $form('retention', 'dry_run') ?><label>As of <input type="date" name="as_of" class="form-control input-sm"></label>
<button type="submit" class="btn btn-default btn-sm">Dry run (changes nothing)</button></form>
<h3>Run</h3>
<?= $form('retention', 'prepare_run') ?><button type="submit" class="btn btn-danger btn-sm">Run retention now&hellip;</button> <span class="text-muted small">shows what would be purged and asks you to confirm</span></form>
