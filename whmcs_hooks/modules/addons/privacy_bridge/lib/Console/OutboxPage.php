<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** The module's outbox in the WHMCS database: pending and dead rows (never their payloads), retry
 * one or all (the module's cron delivers them), delete dead rows. The bridge cannot see this table,
 * so the console checks the role itself: agent to retry, dpo to delete. */
class OutboxPage extends Page
{
    /** @var Outbox */
    private $outbox;

    public function __construct(BridgeClient $bridge, View $view, ActingAdmin $admin, Outbox $outbox)
    {
        parent::__construct($bridge, $view, $admin);
        $this->outbox = $outbox;
    }

    public function show(array $get): string
    {
        if (!$this->outbox->exists()) {
            return $this->view->notice('warning', 'The outbox table does not exist: activate the module first.');
        }
        return $this->view->render('outbox', ['pending' => $this->outbox->pending(), 'dead' => $this->outbox->dead(),
            'erasures' => $this->outbox->erasures()]);
    }

    const NEEDS = ['retry' => 'agent', 'retry_all' => 'agent', 'delete_dead' => 'dpo', 'delete_all_dead' => 'dpo'];

    protected function actions(): array
    {
        return array_keys(self::NEEDS);
    }

    public function act(string $do, array $post): string
    {
        if (isset(self::NEEDS[$do]) && !$this->admin->mayAct(self::NEEDS[$do])) {
            return $this->view->notice('warning', 'Your role may not do this.');
        }
        if (!$this->outbox->exists()) {
            return $this->view->notice('warning', 'The outbox table does not exist: activate the module first.');
        }
        return parent::act($do, $post);
    }

    protected function retry(array $post): string
    {
        return self::counted($this->view, $this->outbox->retry(self::id($post, 'id') ?: -1), 'queued for delivery again');
    }

    protected function retry_all(array $post): string
    {
        return self::counted($this->view, $this->outbox->retry(null), 'queued for delivery again');
    }

    protected function delete_dead(array $post): string
    {
        return self::counted($this->view, $this->outbox->deleteDead(self::id($post, 'id') ?: -1), 'deleted');
    }

    protected function delete_all_dead(array $post): string
    {
        return self::counted($this->view, $this->outbox->deleteDead(null), 'deleted');
    }

    private static function counted(View $view, int $count, string $what): string
    {
        return $view->notice('success', $count . ' row' . ($count === 1 ? '' : 's') . ' ' . $what . '.');
    }
}
