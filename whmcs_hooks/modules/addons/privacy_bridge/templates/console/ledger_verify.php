<?php $r = $d['result']; ?>
<div class="alert alert-<?= $r['ok'] ? 'success' : 'danger' ?> pb-verify">
<?php if ($r['ok']) : ?>Ledger verified: <?= $e($r['entries']) ?> entries, head seq <?= $e($r['head']['seq']) ?> <code><?= $e($r['head']['hash']) ?></code>.
<?php else : ?>Ledger verification FAILED at seq <?= $e(isset($r['first_bad_seq']) ? $r['first_bad_seq'] : '?') ?>: <?= $e(isset($r['reason']) ? $r['reason'] : '') ?>.<?php endif; ?>
</div>
