<h2>Pending ID checks</h2>
<?= $d['notice'] ?>
<?php if (!$d['notice'] && !$d['items']) : ?><p>No customer is waiting for an ID check.</p><?php endif; ?>
<?php if ($d['items']) : ?>
<table class="table table-striped pb-queue">
<tr><th>Client</th><th>Waiting since</th><th>Fields</th><th>Who tried</th><th>Record an ID check</th></tr>
<?php foreach ($d['items'] as $item) : ?>
<tr>
<td><a href="<?= $e($url('client', ['client_id' => $item['client_id']])) ?>">#<?= $e($item['client_id']) ?></a></td>
<td><?= $e($item['requested_at']) ?></td>
<td><?= $e(implode(', ', (array) $item['fields'])) ?></td>
<td><?= $e(isset($item['actor']['type']) ? $item['actor']['type'] : '') ?></td>
<td><?= $form('client', 'record_verification', ['client_id' => $item['client_id']]) ?>
<?php include __DIR__ . '/verification_fields.php'; ?>
<button type="submit" class="btn btn-primary btn-sm">Record ID check</button></form></td>
</tr>
<?php endforeach; ?>
</table>
<?php endif; ?>
