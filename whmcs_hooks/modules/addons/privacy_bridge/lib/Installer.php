<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** What activation, deactivation and upgrade do, answered as WHMCS's {status, description}. */
final class Installer
{
    /** @var OutboxSchema */
    private $schema;
    /** @var LegacyInstall */
    private $legacy;
    /** @var ErasureSchema */
    private $erasures;
    /** @var Lang */
    private $lang;

    public function __construct(OutboxSchema $schema, ErasureSchema $erasures, LegacyInstall $legacy, Lang $lang)
    {
        $this->schema = $schema;
        $this->erasures = $erasures;
        $this->legacy = $legacy;
        $this->lang = $lang;
    }

    public static function create(): self
    {
        return new self(new OutboxSchema(), new ErasureSchema(), LegacyInstall::create(), new Lang());
    }

    /** Creates (or keeps) the outbox and erasure-order tables, then imports an older loose install's settings once. */
    public function activate(): array
    {
        try {
            $this->schema->ensure();
            $this->erasures->ensure();
            $imported = $this->legacy->import();
        } catch (\Throwable $e) {
            return ['status' => 'error', 'description' => sprintf($this->lang->get('activate_failed'), ActivityLog::describe($e))];
        }
        $text = [$this->lang->get('activated')];
        if ($imported) {
            $text[] = $this->lang->get('imported');
        }
        $text[] = $this->legacy->notice();
        return ['status' => 'success', 'description' => trim(implode(' ', $text))];
    }

    /** Keeps the table and its rows: undelivered events must survive a switch-off. */
    public function deactivate(): array
    {
        return ['status' => 'success', 'description' => $this->lang->get('deactivated')];
    }

    /** @param array $vars WHMCS's, with "version" the version upgraded from */
    public function upgrade(array $vars): array
    {
        try {
            $done = $this->schema->ensure();
            $erasures = $this->erasures->ensure();
            $done .= $erasures === 'created' ? '; erasure orders table created' : '';
        } catch (\Throwable $e) {
            return ['status' => 'error', 'description' => sprintf($this->lang->get('activate_failed'), ActivityLog::describe($e))];
        }
        return ['status' => 'success', 'description' => sprintf($this->lang->get('upgraded'), $done)];
    }
}
