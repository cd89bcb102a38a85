<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** AdminAreaClientSummaryPage, ClientAreaHomepage and ClientAreaHeaderOutput: the bridge's panels. */
final class Panels
{
    const CONSOLE_PAGE = 'addonmodules.php?module=privacy_bridge&action=client&client_id=';

    /** @var BridgeCall */
    private $bridge;
    /** @var Outbox */
    private $outbox;
    /** @var RequestContext */
    private $context;
    /** @var Lang */
    private $lang;

    public function __construct(BridgeCall $bridge, Outbox $outbox, RequestContext $context, Lang $lang)
    {
        $this->bridge = $bridge;
        $this->outbox = $outbox;
        $this->context = $context;
        $this->lang = $lang;
    }

    public function render(Settings $settings, string $hook, array $vars): string
    {
        $clientId = $this->clientId($hook, $vars);
        if ($clientId === null) {
            return '';
        }
        $forward = ['userid' => $clientId];
        if ($hook !== 'AdminAreaClientSummaryPage') {
            list(, $answer) = $this->bridge->ask($settings, '/panel', $hook, $forward);
            $html = isset($answer['html']) && is_string($answer['html']) ? $answer['html'] : '';
            return $hook === 'ClientAreaHeaderOutput' ? $html . $this->privacyLink() : $html;
        }
        $forward['outbox'] = $this->outbox->health();
        list(, $answer) = $this->bridge->ask($settings, '/panel', $hook, $forward);
        $html = isset($answer['html']) && is_string($answer['html']) ? $answer['html'] : $this->offline($forward['outbox']);
        return $html . $this->consoleLink($clientId);
    }

    /** The client's page of the staff console (built by the console's own code). */
    public function consoleLink(int $clientId): string
    {
        return '<p class="privacy-bridge-console"><a href="'
            . htmlspecialchars(self::CONSOLE_PAGE . $clientId, ENT_QUOTES, 'UTF-8') . '">'
            . htmlspecialchars($this->lang->get('console_link'), ENT_QUOTES, 'UTF-8') . '</a></p>';
    }

    /** The account-details page links to the customer's privacy page. */
    private function privacyLink(): string
    {
        return '<p class="privacy-bridge-page-link"><a href="' . PrivacyPage::URI . '">'
            . htmlspecialchars($this->lang->get('privacy_details_link'), ENT_QUOTES, 'UTF-8') . '</a></p>';
    }

    private function clientId(string $hook, array $vars): ?int
    {
        if ($hook === 'AdminAreaClientSummaryPage') {
            return isset($vars['userid']) && is_numeric($vars['userid']) ? (int) $vars['userid'] : null;
        }
        if ($hook === 'ClientAreaHeaderOutput' && !$this->isAccountDetailsPage()) {
            return null;
        }
        return $this->context->clientId();
    }

    private function isAccountDetailsPage(): bool
    {
        return $this->context->script() === 'clientarea.php'
            && isset($_GET['action']) && $_GET['action'] === 'details';
    }

    private function offline(array $outbox): string
    {
        $box = $this->outbox;
        $error = Quietly::read(function () use ($box) {
            return $box->lastError();
        }, null);
        $text = 'Privacy bridge unreachable (' . $this->bridge->problem() . '). Outbox: ' . $outbox['pending']
            . ' pending, ' . $outbox['dead'] . ' dead' . ($error !== null ? '; last delivery error: ' . $error : '') . '.';
        return '<div class="alert alert-warning privacy-bridge-offline">'
            . htmlspecialchars($text, ENT_QUOTES, 'UTF-8') . '</div>';
    }
}
