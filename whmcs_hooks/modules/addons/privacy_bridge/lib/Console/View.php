<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** Renders templates/console/*.php. A template sees $d (its data) and the helpers $e (escape),
 * $url (a console link) and $form (a POST form's opening tag with the CSRF token and action). */
class View
{
    /** @var string */
    private $link;
    /** @var string */
    private $token;
    /** @var string */
    private $dir;

    public function __construct(string $link, string $token)
    {
        $this->link = $link;
        $this->token = $token;
        $this->dir = dirname(__DIR__, 2) . '/templates/console';
    }

    public static function escape($value): string
    {
        if (is_bool($value)) {
            return $value ? 'yes' : 'no';
        }
        if (is_array($value) || is_object($value)) {
            $value = json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
        }
        return htmlspecialchars((string) $value, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
    }

    public function url(string $action, array $query = []): string
    {
        return $this->link . '&' . http_build_query(array_merge(['action' => $action], $query));
    }

    public function form(string $action, string $do, array $hidden = []): string
    {
        $fields = array_merge(['token' => $this->token, 'do' => $do], $hidden);
        $html = '<form method="post" action="' . self::escape($this->url($action)) . '">';
        foreach ($fields as $name => $value) {
            $html .= '<input type="hidden" name="' . self::escape($name) . '" value="' . self::escape($value) . '">';
        }
        return $html;
    }

    public function render(string $template, array $d = []): string
    {
        $e = [self::class, 'escape'];
        $url = [$this, 'url'];
        $form = [$this, 'form'];
        ob_start();
        include $this->dir . '/' . basename($template) . '.php';
        return (string) ob_get_clean();
    }

    /** A notice: kind is success, info, warning or danger; the text is escaped. */
    public function notice(string $kind, string $text, array $lines = []): string
    {
        return $this->render('notice', ['kind' => $kind, 'text' => $text, 'lines' => $lines]);
    }
}
