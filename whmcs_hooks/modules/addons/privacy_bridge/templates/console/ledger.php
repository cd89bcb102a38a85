<h2>Ledger</h2>
<?= $d['notice'] ?>
<?php $s = $d['status']; if ($s) : ?>
<p class="pb-head">Head: seq <?= $e($s['head']['seq']) ?>, <code><?= $e($s['head']['hash']) ?></code></p>
<?php $lv = $s['last_verify']; ?>
<p class="pb-last-verify">Last verification: <?php if ($lv === null) : ?>never<?php else : ?><span class="label label-<?= $lv['ok'] ? 'success' : 'danger' ?>"><?= $lv['ok'] ? 'ok' : 'FAILED' ?></span> at <?= $e($lv['at']) ?>, <?= $e($lv['entries']) ?> entries<?php if (!$lv['ok']) : ?>, first bad seq <?= $e($lv['first_bad_seq']) ?> (<?= $e($lv['reason']) ?>)<?php endif; ?><?php endif; ?></p>
<h3>Anchors</h3>
<?php if (!$s['anchors']) : ?><p>No anchors yet.</p><?php endif; ?>
<table class="table table-condensed pb-anchors"><?php foreach ($s['anchors'] as $a) : ?><tr><td>seq <?= $e($a['seq']) ?></td><td><code><?= $e($a['hash']) ?></code></td><td><?= $e($a['anchored_at']) ?></td><td><?= $a['whmcs'] ? 'in the WHMCS activity log' : 'bridge only' ?></td></tr><?php endforeach; ?></table>
<?php endif; ?>
<?= $form('ledger', 'verify') ?><button type="submit" class="btn btn-primary">Verify now</button></form>
