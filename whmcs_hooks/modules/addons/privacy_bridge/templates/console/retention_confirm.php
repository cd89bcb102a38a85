<?php $r = $d['report']; ?>
<div class="alert alert-warning pb-confirm"><strong>Confirm the retention run</strong>
<p>A run now would purge <?= $e(count($r['purged'])) ?> customer(s)<?php if ($r['purged']) : ?>: <?= $e(implode(', ', array_map(function ($row) { return '#' . $row['client_id']; }, $r['purged']))) ?><?php endif; ?>. This cannot be undone.</p>
<?= $form('retention', 'run', ['confirm' => 'yes']) ?><button type="submit" class="btn btn-danger">Yes, purge now</button></form>
</div>
