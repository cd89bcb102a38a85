<?php
$id = $d['client_id'];
$p = $d['privacy'];
$v = $p ? $p['verification'] : null;
$r = $p ? $p['retention'] : null;
$holds = $r && isset($r['holds']) ? $r['holds'] : [];
?>
<h2>Client #<?= $e($id) ?>: privacy</h2>
<?= $d['privacy_notice'] ?>
<?php if ($p) : ?>
<div class="row">
<div class="col-sm-6 pb-verification"><h3>ID check</h3>
<p>Status: <span class="label label-<?= $v['status'] === 'verified' ? 'success' : 'warning' ?>"><?= $e($v['status']) ?></span></p>
<?php if ($v['current']) : $c = $v['current']; ?>
<p><?= $e($c['document_type']) ?> (<?= $e($c['issuing_country']) ?>), recorded <?= $e($c['recorded_at']) ?> by <?= $e($c['recorded_by']) ?>, valid until <?= $e($c['expires_at']) ?></p>
<?php endif; ?>
<?php if ($v['pending']) : ?><p>Waiting since <?= $e($v['pending']['requested_at']) ?> for: <?= $e(implode(', ', (array) $v['pending']['fields'])) ?></p><?php endif; ?>
<h3>Retention</h3>
<?php if ($r) : ?>
<p>Status: <?= $e($r['status']) ?><?php if ($r['closed_at']) : ?>, closed <?= $e($r['closed_at']) ?><?php endif; ?><?php if ($r['purge_due_at']) : ?>, purge due <?= $e($r['purge_due_at']) ?><?php endif; ?></p>
<?php else : ?><p>No retention record.</p><?php endif; ?>
<h3>Consent</h3>
<p>Marketing: <?= $e($p['consent']['marketing'] === null ? 'not known yet' : ($p['consent']['marketing'] ? 'opted in' : 'opted out')) ?></p>
</div>
<div class="col-sm-6 pb-holds"><h3>Holds</h3>
<?php if (!$holds) : ?><p>No holds.</p><?php endif; ?>
<ul class="list-unstyled">
<?php foreach ($holds as $hold) : ?>
<li><?= $e($hold['reason']) ?><?= $hold['auto'] ? ' (automatic)' : '' ?>, since <?= $e($hold['placed_at']) ?><?php if ($hold['released_at']) : ?>, released <?= $e($hold['released_at']) ?><?php else : ?>
<?= $form('client', 'release_hold', ['client_id' => $id, 'hold_id' => $hold['hold_id']]) ?><button type="submit" class="btn btn-default btn-xs">Release</button></form><?php endif; ?></li>
<?php endforeach; ?>
</ul>
<h3>Open jobs</h3>
<?php if (!$p['jobs']) : ?><p>None.</p><?php endif; ?>
<ul class="list-unstyled"><?php foreach ($p['jobs'] as $job) : ?><li><?= $e($job['kind']) ?>: <?= $e($job['status']) ?>, <?= $e($job['attempts']) ?> attempts<?= $job['last_error'] ? ', last error: ' . $e($job['last_error']) : '' ?></li><?php endforeach; ?></ul>
<p class="text-muted small"><?= $e($p['counts']['ledger_entries']) ?> ledger entries.</p>
</div>
</div>
<?php endif; ?>
<h3>Last changes</h3>
<?= $d['ledger_notice'] ?>
<?php if ($d['entries']) : ?>
<table class="table table-condensed pb-changes"><tr><th>#</th><th>When</th><th>Event</th><th>Who</th><th>Changes</th></tr>
<?php foreach ($d['entries'] as $entry) : ?>
<tr><td><?= $e($entry['seq']) ?></td><td><?= $e($entry['occurred_at']) ?></td><td><?= $e($entry['event_type']) ?></td>
<td><?= $e($entry['actor']['type']) ?> <?= $e($entry['actor']['id']) ?></td>
<td><?php foreach ($entry['changes'] as $change) : ?><div><?= $e($change['field']) ?>: <?= $e($change['new']) ?></div><?php endforeach; ?></td></tr>
<?php endforeach; ?>
</table>
<?php elseif (!$d['ledger_notice']) : ?><p>No ledger entries.</p><?php endif; ?>
<h3>Actions</h3>
<div class="row pb-actions">
<div class="col-sm-6">
<h4>Record an ID check</h4>
<?= $form('client', 'record_verification', ['client_id' => $id]) ?><?php include __DIR__ . '/verification_fields.php'; ?>
<button type="submit" class="btn btn-primary btn-sm">Record ID check</button></form>
<h4>Revoke the current ID check</h4>
<?= $form('client', 'revoke_verification', ['client_id' => $id]) ?><button type="submit" class="btn btn-danger btn-sm">Revoke</button></form>
<h4>Billing details for a caller</h4>
<?= $form('client', 'billing_disclosure', ['client_id' => $id]) ?>
<select name="channel" class="form-control input-sm" aria-label="Channel"><?php foreach (['phone', 'email', 'ticket', 'chat', 'in_person', 'post'] as $ch) : ?><option><?= $e($ch) ?></option><?php endforeach; ?></select>
<input name="purpose" class="form-control input-sm" maxlength="500" placeholder="purpose" aria-label="Purpose" required>
<button type="submit" class="btn btn-default btn-sm">Disclose billing summary</button></form>
</div>
<div class="col-sm-6">
<h4>Third-party disclosure</h4>
<?= $form('client', 'third_party_disclosure', ['client_id' => $id]) ?>
<input name="recipient" class="form-control input-sm" maxlength="200" placeholder="recipient" aria-label="Recipient" required>
<select name="ground" class="form-control input-sm" aria-label="Ground"><?php foreach (['legal_process', 'rights_protection', 'emergency'] as $g) : ?><option><?= $e($g) ?></option><?php endforeach; ?></select>
<input name="reference" class="form-control input-sm" maxlength="200" placeholder="reference" aria-label="Reference" required>
<?php foreach (['contact', 'billing', 'consent', 'credentials', 'usage', 'communications'] as $cat) : ?><label class="checkbox-inline"><input type="checkbox" name="categories[]" value="<?= $e($cat) ?>"> <?= $e($cat) ?></label><?php endforeach; ?>
<button type="submit" class="btn btn-default btn-sm">Record disclosure</button></form>
<h4>Place a hold</h4>
<?= $form('client', 'place_hold', ['client_id' => $id]) ?>
<select name="reason" class="form-control input-sm" aria-label="Reason"><?php foreach (['legal_obligation', 'accounting_irregularity', 'legal_process'] as $reason) : ?><option><?= $e($reason) ?></option><?php endforeach; ?></select>
<input name="reference" class="form-control input-sm" maxlength="200" placeholder="reference" aria-label="Reference" required>
<input name="note" class="form-control input-sm" maxlength="1000" placeholder="note" aria-label="Note">
<button type="submit" class="btn btn-warning btn-sm">Place hold</button></form>
</div>
</div>
