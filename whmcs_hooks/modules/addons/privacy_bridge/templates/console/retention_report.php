<?php $r = $d['report']; ?>
<div class="alert alert-info pb-report"><strong><?= $e($d['title']) ?></strong> As of <?= $e($r['as_of']) ?>:
<?= $e(count($r['purged'])) ?> <?= $r['dry_run'] ? 'would be purged' : 'purged' ?>, <?= $e(count($r['held'])) ?> held, <?= $e(count($r['errors'])) ?> errors, <?= $e($r['remaining']) ?> remaining.
<ul><?php foreach ($r['purged'] as $row) : ?><li>#<?= $e($row['client_id']) ?> (<?= $e($row['strategy']) ?>)</li><?php endforeach; ?>
<?php foreach ($r['errors'] as $row) : ?><li>#<?= $e($row['client_id']) ?>: <?= $e($row['detail']) ?></li><?php endforeach; ?></ul>
</div>
