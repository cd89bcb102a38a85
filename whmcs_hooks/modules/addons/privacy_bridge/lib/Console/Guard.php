<?php

namespace WHMCS\Module\Addon\PrivacyBridge\Console;

/** Runs console code so that any warning, notice or exception becomes the fallback answer: an
 * admin sees a plain notice, never a PHP error or a stack trace (which could carry values). */
class Guard
{
    public static function run(callable $work, callable $fallback)
    {
        set_error_handler(function ($level, $message, $file, $line) {
            if (!(error_reporting() & $level)) {
                return false;
            }
            throw new \ErrorException($message, 0, $level, $file, $line);
        });
        $level = ob_get_level();
        try {
            return $work();
        } catch (\Throwable $failure) {
            while (ob_get_level() > $level) {
                ob_end_clean();
            }
            return $fallback();
        } finally {
            restore_error_handler();
        }
    }
}
