<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** Pending ID checks: the customers blocked and waiting. Its form posts to the client page. */
class QueuePage extends Page
{
    public function show(array $get): string
    {
        $reply = $this->bridge->get('/v1/verifications', ['status' => 'pending']);
        if (!$reply->ok()) {
            return $this->view->render('queue', ['items' => [], 'notice' => $this->failure($reply)]);
        }
        $items = isset($reply->data['items']) && is_array($reply->data['items']) ? $reply->data['items'] : [];
        return $this->view->render('queue', ['items' => $items, 'notice' => '']);
    }

    protected function actions(): array
    {
        return [];
    }
}
