<h2>Client privacy</h2>
<form method="get" action="addonmodules.php" class="form-inline">
<input type="hidden" name="module" value="privacy_bridge"><input type="hidden" name="action" value="client">
<label>Client ID <input name="client_id" class="form-control" inputmode="numeric" required></label>
<button type="submit" class="btn btn-default">Show</button>
</form>
