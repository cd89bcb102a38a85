<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** The ledger's head, anchors and last verification, and "verify now". */
class LedgerPage extends Page
{
    public function show(array $get): string
    {
        $status = $this->bridge->get('/v1/ledger/status');
        $notice = '';
        if ($status->status === 404) {
            $notice = $this->view->notice('info', 'This bridge does not report its ledger status (head and anchors) yet.');
        } elseif (!$status->ok()) {
            $notice = $this->failure($status);
        }
        return $this->view->render('ledger', ['status' => $status->ok() ? $status->data : null, 'notice' => $notice]);
    }

    protected function actions(): array
    {
        return ['verify'];
    }

    /** Verifying reads only, but it is a button: a crawler following links never starts one. */
    protected function verify(array $post): string
    {
        $reply = $this->bridge->get('/v1/ledger/verify');
        if (!$reply->ok()) {
            return $this->failure($reply);
        }
        return $this->view->render('ledger_verify', ['result' => $reply->data]);
    }
}
