<div class="alert alert-<?= $e($d['kind']) ?> pb-notice" role="alert"><?= $e($d['text']) ?>
<?php if ($d['lines']) : ?><ul class="pb-lines"><?php foreach ($d['lines'] as $line) : ?><li><?= $e($line) ?></li><?php endforeach; ?></ul><?php endif; ?>
</div>
