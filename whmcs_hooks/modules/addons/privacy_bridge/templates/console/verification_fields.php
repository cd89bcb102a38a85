<select name="document_type" class="form-control input-sm" aria-label="Document type">
<?php foreach (['passport' => 'Passport', 'national_id' => 'National ID', 'driving_licence' => 'Driving licence', 'residence_permit' => 'Residence permit', 'other' => 'Other'] as $value => $label) : ?>
<option value="<?= $e($value) ?>"><?= $e($label) ?></option>
<?php endforeach; ?>
</select>
<input name="issuing_country" class="form-control input-sm" size="3" maxlength="2" placeholder="GB" aria-label="Issuing country" required>
<input name="document_last4" class="form-control input-sm" size="5" maxlength="4" placeholder="last 4" aria-label="Last four characters">
<input name="document_expires" type="date" class="form-control input-sm" aria-label="Document expires">
<input name="note" class="form-control input-sm" maxlength="500" placeholder="note" aria-label="Note">
