<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

use WHMCS\Database\Capsule;

/** Reads WHMCS data the hooks need but WHMCS does not pass. Every read may fail: callers catch. */
final class WhmcsData
{
    const CLIENT_CURRENT = [...Vocabulary::PROFILE_FIELDS, 'billingcid', 'currency', ...Vocabulary::CONSENT_STATE];
    const CONTACT_CURRENT = Vocabulary::PROFILE_FIELDS;

    /** @var array<string, ?string> */
    private $settings = [];

    /** A WHMCS system setting ($CONFIG first, then tblconfiguration), or null; never throws. */
    public function setting(string $name): ?string
    {
        if (array_key_exists($name, $this->settings)) {
            return $this->settings[$name];
        }
        $value = isset($GLOBALS['CONFIG'][$name]) && is_scalar($GLOBALS['CONFIG'][$name])
            ? (string) $GLOBALS['CONFIG'][$name]
            : null;
        if ($value === null) {
            try {
                $found = Capsule::table('tblconfiguration')->where('setting', $name)->value('value');
                $value = is_scalar($found) ? (string) $found : null;
            } catch (\Throwable $e) {
                $value = null;
            }
        }
        return $this->settings[$name] = $value;
    }

    /** tax_id and defaultgateway, which ClientEdit does not carry (contract 3.1). */
    public function clientBilling(int $clientId): array
    {
        $row = $this->row('tblclients', $clientId);
        $out = [];
        foreach ([Vocabulary::TAX_ID, Vocabulary::GATEWAY_COLUMN] as $column) {
            if ($row !== null && property_exists($row, $column)) {
                $out[$column] = $row->$column;
            }
        }
        return $out;
    }

    /** Stored client values keyed by the contract's field names (paymentmethod = defaultgateway). */
    public function currentClient(int $clientId): ?array
    {
        $row = $this->row('tblclients', $clientId);
        if ($row === null) {
            return null;
        }
        $out = self::columns($row, self::CLIENT_CURRENT);
        if (property_exists($row, Vocabulary::GATEWAY_COLUMN)) {
            $out['paymentmethod'] = $row->{Vocabulary::GATEWAY_COLUMN};
        }
        return $out;
    }

    public function currentContact(int $clientId, int $contactId): ?array
    {
        $row = Capsule::table('tblcontacts')->where('id', $contactId)->where('userid', $clientId)->first();
        return $row === null ? null : self::columns($row, self::CONTACT_CURRENT);
    }

    /**
     * The type of an email template (general, product, domain, invoice, support, affiliate,
     * admin, notification): EmailPreSend passes only its name. One row per language, same type.
     */
    public function templateType(string $template): ?string
    {
        $type = Capsule::table('tblemailtemplates')->where('name', $template)->orderBy('id')->value('type');
        return is_string($type) ? $type : null;
    }

    /** @return object|null */
    private function row(string $table, int $id)
    {
        return Capsule::table($table)->where('id', $id)->first();
    }

    private static function columns($row, array $names): array
    {
        $out = [];
        foreach ($names as $name) {
            if (property_exists($row, $name)) {
                $out[$name] = $row->$name;
            }
        }
        return $out;
    }
}
