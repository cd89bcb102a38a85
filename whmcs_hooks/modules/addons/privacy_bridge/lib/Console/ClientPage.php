<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** One customer's privacy: the summary and latest ledger entries as the API shows them to the
 * acting role, and the ID-check, disclosure and hold actions. */
class ClientPage extends Page
{
    const LAST_CHANGES = 15;

    public function show(array $get): string
    {
        $clientId = self::id($get, 'client_id');
        if ($clientId === 0) {
            return $this->view->render('client_pick', []);
        }
        $privacy = $this->bridge->get("/v1/clients/$clientId/privacy");
        $ledger = $this->bridge->get("/v1/clients/$clientId/ledger", ['limit' => 1000]);
        $entries = $ledger->ok() && isset($ledger->data['entries']) ? (array) $ledger->data['entries'] : [];
        return $this->view->render('client', [
            'client_id' => $clientId,
            'privacy' => $privacy->ok() ? $privacy->data : null,
            'privacy_notice' => $privacy->ok() ? '' : $this->failure($privacy),
            'entries' => array_reverse(array_slice($entries, -self::LAST_CHANGES)),
            'ledger_notice' => $ledger->ok() ? '' : $this->failure($ledger),
        ]);
    }

    protected function actions(): array
    {
        return ['record_verification', 'revoke_verification', 'billing_disclosure', 'third_party_disclosure',
            'place_hold', 'release_hold'];
    }

    protected function record_verification(array $post): string
    {
        $body = ['document_type' => self::field($post, 'document_type'),
            'issuing_country' => strtoupper(self::field($post, 'issuing_country'))]
            + self::optional($post, ['document_last4', 'document_expires', 'note']);
        $reply = $this->bridge->post($this->clientPath($post, 'verifications'), $body);
        return $this->outcome($reply, 'ID check recorded.');
    }

    protected function revoke_verification(array $post): string
    {
        $reply = $this->bridge->delete($this->clientPath($post, 'verifications/current'));
        return $this->outcome($reply, 'ID check revoked.');
    }

    protected function billing_disclosure(array $post): string
    {
        $body = ['channel' => self::field($post, 'channel'), 'purpose' => self::field($post, 'purpose')];
        $reply = $this->bridge->post($this->clientPath($post, 'billing-disclosures'), $body);
        if ($reply->ok() && is_array($reply->data)) {
            return $this->view->render('billing', ['summary' => $reply->data]);
        }
        if ($reply->status === 403 && $reply->slug() === 'verification-required') {
            return $this->view->notice('warning',
                'No current ID check: the billing details may not be given to this caller. The refusal was recorded.');
        }
        return $this->failure($reply);
    }

    protected function third_party_disclosure(array $post): string
    {
        $categories = isset($post['categories']) && is_array($post['categories'])
            ? array_values(array_filter($post['categories'], 'is_string')) : [];
        $body = ['recipient' => self::field($post, 'recipient'), 'ground' => self::field($post, 'ground'),
            'reference' => self::field($post, 'reference'), 'categories' => $categories];
        $reply = $this->bridge->post($this->clientPath($post, 'disclosures'), $body);
        return $this->outcome($reply, 'Third-party disclosure recorded.');
    }

    protected function place_hold(array $post): string
    {
        $body = ['reason' => self::field($post, 'reason'), 'reference' => self::field($post, 'reference')]
            + self::optional($post, ['note']);
        $reply = $this->bridge->post($this->clientPath($post, 'holds'), $body);
        return $this->outcome($reply, 'Hold placed.');
    }

    protected function release_hold(array $post): string
    {
        $holdId = self::field($post, 'hold_id');
        if (!preg_match('/^[0-9a-fA-F-]{1,64}$/', $holdId)) {
            return $this->view->notice('warning', 'No such hold.');
        }
        return $this->outcome($this->bridge->delete('/v1/holds/' . $holdId), 'Hold released.');
    }

    private function clientPath(array $post, string $tail): string
    {
        return '/v1/clients/' . self::id($post, 'client_id') . '/' . $tail;
    }
}
