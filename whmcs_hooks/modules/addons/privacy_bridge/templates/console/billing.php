<?php $s = $d['summary']; ?>
<div class="alert alert-info pb-billing"><strong>Billing summary for client #<?= $e($s['client_id']) ?></strong> (this disclosure was recorded)
<p><?= $e($s['name']) ?><?php foreach ((array) $s['address'] as $line) : ?><?php if ($line !== null && $line !== '') : ?>, <?= $e($line) ?><?php endif; ?><?php endforeach; ?></p>
<?php if ($s['tax_id']) : ?><p>Tax ID: <?= $e($s['tax_id']) ?></p><?php endif; ?>
<ul><?php foreach ($s['pay_methods'] as $m) : ?><li><?= $e($m['description']) ?> (<?= $e($m['type']) ?><?= $m['last_four'] ? ' ending ' . $e($m['last_four']) : '' ?>)</li><?php endforeach; ?></ul>
<ul><?php foreach ($s['open_invoices'] as $i) : ?><li>Invoice #<?= $e($i['id']) ?>: <?= $e($i['status']) ?>, <?= $e($i['total']) ?>, due <?= $e($i['due']) ?></li><?php endforeach; ?></ul>
</div>
