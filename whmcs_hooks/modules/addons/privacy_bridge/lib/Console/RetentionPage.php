<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** The retention plan, a dry run, and a real run only after an explicit confirmation step. */
class RetentionPage extends Page
{
    public function show(array $get): string
    {
        $query = self::day($get) === '' ? [] : ['as_of' => self::day($get)];
        $plan = $this->bridge->get('/v1/retention/plan', $query);
        return $this->view->render('retention', [
            'plan' => $plan->ok() ? $plan->data : null,
            'notice' => $plan->ok() ? '' : $this->failure($plan),
        ]);
    }

    protected function actions(): array
    {
        return ['dry_run', 'prepare_run', 'run'];
    }

    protected function dry_run(array $post): string
    {
        $body = ['dry_run' => true] + (self::day($post) === '' ? [] : ['as_of' => self::day($post)]);
        return $this->report($this->bridge->post('/v1/retention/run', $body), 'Dry run: nothing was changed.');
    }

    /** The confirmation step: what a run today would purge, and the form that really runs it. */
    protected function prepare_run(array $post): string
    {
        $reply = $this->bridge->post('/v1/retention/run', ['dry_run' => true]);
        if (!$reply->ok()) {
            return $this->failure($reply);
        }
        return $this->view->render('retention_confirm', ['report' => $reply->data]);
    }

    protected function run(array $post): string
    {
        if (self::field($post, 'confirm') !== 'yes') {
            return $this->view->notice('warning', 'The run was not confirmed: nothing was purged.');
        }
        return $this->report($this->bridge->post('/v1/retention/run', ['dry_run' => false]), 'Retention run finished.');
    }

    private function report(BridgeReply $reply, string $title): string
    {
        if (!$reply->ok()) {
            return $this->failure($reply);
        }
        return $this->view->render('retention_report', ['title' => $title, 'report' => $reply->data]);
    }

    private static function day(array $input): string
    {
        $value = self::field($input, 'as_of');
        return preg_match('/^\d{4}-\d{2}-\d{2}$/', $value) ? $value : '';
    }
}
