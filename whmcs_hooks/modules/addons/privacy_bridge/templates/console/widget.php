<div class="widget-content-padded pb-widget">
<?php if (!empty($d['failed'])) : ?><div class="alert alert-danger">The privacy widget could not load.</div>
<?php else : ?>
<?php if ($d['down']) : ?><div class="alert alert-warning">The privacy bridge cannot be reached right now.</div><?php endif; ?>
<?php if ($d['forbidden']) : ?><div class="alert alert-info">Your role may not see all of this.</div><?php endif; ?>
<?php $shown = function ($n) { return $n === null ? '?' : (string) $n; }; ?>
<ul class="list-unstyled">
<li><a href="<?= $e($url('queue')) ?>">Pending ID checks: <strong><?= $e($shown($d['pending'])) ?></strong></a></li>
<li><a href="<?= $e($url('outbox')) ?>">Dead outbox rows: <strong><?= $e($shown($d['dead'])) ?></strong></a></li>
<li><a href="<?= $e($url('retention')) ?>">Purges due in the next 30 days: <strong><?= $e($shown($d['due'])) ?></strong></a></li>
<li><a href="<?= $e($url('ledger')) ?>">Last ledger verification: <strong><?php $lv = $d['verify'];
if ($lv === false) : ?>?<?php elseif ($lv === null) : ?>never<?php else : ?><?= $lv['ok'] ? 'ok' : 'FAILED' ?> (<?= $e($lv['at']) ?>)<?php endif; ?></strong></a></li>
</ul>
<?php endif; ?>
</div>
