<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** A console page: show() answers a GET and never changes anything; act() runs one POSTed action
 * (the CSRF token already checked) and answers the notice to print above the page. */
abstract class Page
{
    /** @var BridgeClient */
    protected $bridge;
    /** @var View */
    protected $view;
    /** @var ActingAdmin */
    protected $admin;

    public function __construct(BridgeClient $bridge, View $view, ActingAdmin $admin)
    {
        $this->bridge = $bridge;
        $this->view = $view;
        $this->admin = $admin;
    }

    abstract public function show(array $get): string;

    /** @return string[] the `do` values this page accepts, each the name of a method taking $post */
    abstract protected function actions(): array;

    public function act(string $do, array $post): string
    {
        if (!in_array($do, $this->actions(), true)) {
            return $this->view->notice('warning', 'Unknown action.');
        }
        return $this->{$do}($post);
    }

    /** The notice for a bridge answer: success text, or why it did not happen. */
    protected function outcome(BridgeReply $reply, string $success): string
    {
        if ($reply->ok()) {
            return $this->view->notice('success', $success);
        }
        return $this->failure($reply);
    }

    protected function failure(BridgeReply $reply): string
    {
        if ($reply->unreachable()) {
            return $this->view->notice('danger', 'The privacy bridge cannot do this right now; try again later.',
                $reply->problemLines());
        }
        if ($reply->forbidden()) {
            return $this->view->notice('warning', 'Your role may not do this.');
        }
        if ($reply->status === 401) {
            return $this->view->notice('danger', 'The bridge does not accept the console token. See Settings check.');
        }
        if ($reply->status === 404) {
            return $this->view->notice('warning', 'Not found at the bridge.', $reply->problemLines());
        }
        return $this->view->notice('warning', 'The bridge refused this.', $reply->problemLines());
    }

    protected static function field(array $post, string $name): string
    {
        return isset($post[$name]) && is_string($post[$name]) ? trim($post[$name]) : '';
    }

    /** A positive id from the request, or 0. */
    protected static function id(array $input, string $name): int
    {
        $value = self::field($input, $name);
        return ctype_digit($value) && strlen($value) < 19 ? (int) $value : 0;
    }

    /** Optional text fields become null when empty, as the API's schemas expect. */
    protected static function optional(array $post, array $names): array
    {
        $values = [];
        foreach ($names as $name) {
            $value = self::field($post, $name);
            $values[$name] = $value === '' ? null : $value;
        }
        return $values;
    }
}
