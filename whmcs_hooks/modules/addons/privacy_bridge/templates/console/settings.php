<h2>Settings check</h2>
<p>Bridge URL: <code><?= $e($d['url'] === '' ? '(not set)' : $d['url']) ?></code></p>
<table class="table pb-checks"><?php foreach ($d['checks'] as $check) : ?>
<tr><td><?= $e($check['name']) ?></td><td><span class="label label-<?= $check['ok'] ? 'success' : 'danger' ?>"><?= $check['ok'] ? 'OK' : 'FAIL' ?></span></td><td><?= $e($check['detail']) ?></td></tr>
<?php endforeach; ?></table>
