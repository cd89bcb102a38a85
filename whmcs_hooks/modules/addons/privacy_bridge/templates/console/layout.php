<div class="privacy-bridge-console">
<ul class="nav nav-tabs pb-nav">
<?php foreach ($d['pages'] as $name => $label) : ?>
<li class="<?= $name === $d['action'] ? 'active' : '' ?>"><a href="<?= $e($url($name)) ?>"><?= $e($label) ?></a></li>
<?php endforeach; ?>
</ul>
<p class="text-muted small pb-acting">Acting as <strong><?= $e($d['admin']->username) ?></strong> with the bridge role <strong><?= $e($d['admin']->role) ?></strong>.</p>
<?= $d['notice'] ?>
<?= $d['body'] ?>
</div>
