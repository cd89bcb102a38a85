<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/**
 * The hook entry points that hooks.php registers. Each one is guarded: nothing escapes into
 * WHMCS, and a failure gives the hook's neutral answer. Settings are read once per request.
 */
final class Hooks
{
    /** @var SettingsStore */
    private $store;
    /** @var ActivityLog */
    private $log;
    /** @var WhmcsData */
    private $data;
    /** @var Envelope */
    private $envelopes;
    /** @var Outbox */
    private $outbox;
    /** @var Validation */
    private $validation;
    /** @var Panels */
    private $panels;
    /** @var Erasure */
    private $erasure;
    /** @var array{0: ?Settings, 1: string}|null */
    private $settings = null;

    public function __construct(SettingsStore $store, ActivityLog $log, WhmcsData $data, Envelope $envelopes,
        Outbox $outbox, Validation $validation, Panels $panels, Erasure $erasure)
    {
        $this->erasure = $erasure;
        $this->store = $store;
        $this->log = $log;
        $this->data = $data;
        $this->envelopes = $envelopes;
        $this->outbox = $outbox;
        $this->validation = $validation;
        $this->panels = $panels;
    }

    /** The one place that builds the module's objects for a request. */
    public static function create(): self
    {
        $clock = new SystemClock();
        $log = new ActivityLog($clock);
        $data = new WhmcsData();
        $context = new RequestContext();
        $http = new HttpClient($clock);
        $envelopes = new Envelope($data, $context, $clock);
        $bridge = new BridgeCall($http, $envelopes, $log);
        $outbox = new Outbox($http, $clock, $log);
        $erasure = new Erasure($http, $envelopes, $outbox, new ErasureSteps(self::attachmentsDir()), $clock, $log);
        return new self(new SettingsStore(), $log, $data, $envelopes, $outbox,
            new Validation($bridge, $data, $context, $log), new Panels($bridge, $outbox, $context, new Lang()), $erasure);
    }

    /** WHMCS's attachments folder: $attachments_dir of configuration.php, else the default one. */
    public static function attachmentsDir(): ?string
    {
        if (isset($GLOBALS['attachments_dir']) && is_string($GLOBALS['attachments_dir']) && $GLOBALS['attachments_dir'] !== '') {
            return $GLOBALS['attachments_dir'];
        }
        return defined('ROOTDIR') ? ROOTDIR . '/attachments' : null;
    }

    /** An event hook (section 8): into the outbox, then delivered at once when first in line. */
    public function event(string $event, $vars): void
    {
        $this->guarded($event, null, function (Settings $settings) use ($event, $vars) {
            $this->forward($settings, $event, is_array($vars) ? $vars : []);
        });
    }

    /** @return string[] the refusals of a profile form */
    public function validation(string $hook, $vars): array
    {
        return $this->guarded($hook, [], function (Settings $settings) use ($hook, $vars) {
            return $this->validation->form($settings, $hook, is_array($vars) ? $vars : []);
        });
    }

    public function email($vars): array
    {
        return $this->guarded(Vocabulary::EMAIL_EVENT, [], function (Settings $settings) use ($vars) {
            return $this->validation->email($settings, is_array($vars) ? $vars : []);
        });
    }

    public function panel(string $hook, $vars): string
    {
        return $this->guarded($hook, '', function (Settings $settings) use ($hook, $vars) {
            return $this->panels->render($settings, $hook, is_array($vars) ? $vars : []);
        });
    }

    /** AfterCronJob: runs the bridge's residual-erasure orders, then retries the outbox (with their reports). */
    public function cron(): void
    {
        $this->guarded(Vocabulary::WORK_EVENT, null, function (Settings $settings) {
            try {
                $this->erasure->run($settings);
            } catch (\Throwable $e) {
                $this->log->log('residual erasure stopped, retried on the next cron run: ' . ActivityLog::describe($e));
            }
            $this->outbox->flush($settings);
        });
    }

    /** ClientAreaSecondaryNavbar: a "Privacy" item in the client's Account menu. */
    public function accountMenu($navbar): void
    {
        try {
            $account = is_object($navbar) && method_exists($navbar, 'getChild') ? $navbar->getChild('Account') : null;
            if (is_object($account) && method_exists($account, 'addChild')) {
                $account->addChild('privacy_bridge', [
                    'label' => (new Lang())->get('privacy_menu'), 'uri' => PrivacyPage::URI, 'order' => 90,
                ]);
            }
        } catch (\Throwable $e) {
            $this->log->log('internal error in ClientAreaSecondaryNavbar hook: ' . ActivityLog::describe($e));
        }
    }

    private function forward(Settings $settings, string $event, array $vars): void
    {
        $forward = Payload::event($event, $vars);
        if ($event === 'ClientEdit' && isset($vars['userid'])) {
            $data = $this->data;
            $forward += Quietly::read(function () use ($data, $vars) {
                return $data->clientBilling((int) $vars['userid']);
            }, []);
        }
        $draft = $this->envelopes->draft($event, $forward, Outbox::ID_PLACEHOLDER);
        try {
            $id = $this->outbox->add($event, $draft);
        } catch (\Throwable $e) {
            $this->log->log('the outbox could not store a ' . $event . ' event (' . ActivityLog::describe($e)
                . '), so it is sent once without it');
            $this->outbox->sendDirect($settings, $draft);
            return;
        }
        $this->outbox->deliverIfFirst($settings, $id);
    }

    /**
     * Runs a hook body with the usable settings; without them, or when anything throws, the
     * hook's neutral value is returned (and the failure logged).
     *
     * @param mixed $neutral
     * @return mixed
     */
    private function guarded(string $hook, $neutral, callable $body)
    {
        try {
            $settings = $this->settings();
            $result = $settings === null ? null : $body($settings);
            return $result === null ? $neutral : $result;
        } catch (\Throwable $e) {
            $this->log->log('internal error in ' . $hook . ' hook: ' . ActivityLog::describe($e));
            return $neutral;
        }
    }

    /** The usable settings, or null after logging (once a day) why there are none. */
    private function settings(): ?Settings
    {
        if ($this->settings === null) {
            try {
                $this->settings = Settings::fromValues($this->store->values());
            } catch (\Throwable $e) {
                $this->settings = [null, 'the module settings could not be read'];
            }
            $log = $this->log;
            if ($this->settings[0] === null && Quietly::read(function () use ($log) {
                return $log->firstTimeToday();
            }, false)) {
                $this->log->log('not configured, nothing is sent (' . $this->settings[1] . ')');
            }
        }
        return $this->settings[0];
    }
}
